-- Rampart SQL realm, schema version 2: client-id rules (docs/SQL-REALM.md).
-- A permission row is either a topic rule (topic_filter set) or a client-id rule (client_id set: a pattern of
-- the client ids the user or role may use at CONNECT, '*' = any run of characters, placeholders allowed).
-- Apply once to a database at version 1; the embedded H2 database of a realm without jdbc-url is upgraded
-- by itself at startup (and by the rampart users command).

ALTER TABLE permissions ADD COLUMN client_id VARCHAR(65535);
ALTER TABLE permissions ALTER COLUMN topic_filter DROP NOT NULL;
ALTER TABLE permissions ADD CONSTRAINT permissions_topic_or_client_id
    CHECK ((topic_filter IS NULL) <> (client_id IS NULL));

INSERT INTO schema_version (version, description) VALUES (2, 'client-id rules');
