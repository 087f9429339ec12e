-- Rampart SQL realm, schema version 5: the slow-consumer policy per user and per role (docs/SQL-REALM.md,
-- docs/SECURITY.md#limits). max_queued_messages and max_queued_bytes bound the client's session queue;
-- queue_overflow says what a full queue does with one more message: 'drop-oldest', 'drop-newest' or
-- 'disconnect' (MQTT 5 reason 0x97). NULL = not set. The smallest bound of the user, its roles and the listener
-- applies; the policy is the user's or its roles' (the strictest of them: disconnect, then drop-newest, then
-- drop-oldest), the listener's when none sets one.
-- Apply once to a database at version 4; the embedded H2 database of a realm without jdbc-url is upgraded
-- by itself at startup (and by the rampart users command).

ALTER TABLE user_limits ADD COLUMN max_queued_messages INTEGER CHECK (max_queued_messages BETWEEN 1 AND 999999999);
ALTER TABLE user_limits ADD COLUMN max_queued_bytes BIGINT CHECK (max_queued_bytes >= 1);
ALTER TABLE user_limits ADD COLUMN queue_overflow VARCHAR(16)
    CHECK (queue_overflow IN ('drop-oldest', 'drop-newest', 'disconnect'));

ALTER TABLE role_limits ADD COLUMN max_queued_messages INTEGER CHECK (max_queued_messages BETWEEN 1 AND 999999999);
ALTER TABLE role_limits ADD COLUMN max_queued_bytes BIGINT CHECK (max_queued_bytes >= 1);
ALTER TABLE role_limits ADD COLUMN queue_overflow VARCHAR(16)
    CHECK (queue_overflow IN ('drop-oldest', 'drop-newest', 'disconnect'));

INSERT INTO schema_version (version, description) VALUES (5, 'queue limits per user and role');
