-- Rampart SQL realm, schema version 3: limits per user and per role (docs/SQL-REALM.md, docs/SECURITY.md#limits).
-- At most one row per user or role; a NULL column is a limit not set. When a user and its roles set the same
-- limit, the strictest applies. Rates are per second and bursts how much may be spent at once (messages or
-- bytes); max_packet_size in bytes; disconnect_after_seconds: how long a client may keep exceeding its publish
-- rates before it is disconnected (MQTT 5 reason 0x96).
-- Apply once to a database at version 2; the embedded H2 database of a realm without jdbc-url is upgraded
-- by itself at startup (and by the rampart users command).

CREATE TABLE user_limits (
    username                  VARCHAR(256) NOT NULL PRIMARY KEY
                              REFERENCES users (username) ON DELETE CASCADE ON UPDATE CASCADE,
    messages_per_second       DOUBLE CHECK (messages_per_second > 0),
    message_burst             DOUBLE CHECK (message_burst >= 1),
    bytes_per_second          BIGINT CHECK (bytes_per_second > 0),
    byte_burst                BIGINT CHECK (byte_burst >= 1),
    deliveries_per_second     DOUBLE CHECK (deliveries_per_second > 0),
    delivery_burst            DOUBLE CHECK (delivery_burst >= 1),
    delivery_bytes_per_second BIGINT CHECK (delivery_bytes_per_second > 0),
    delivery_byte_burst       BIGINT CHECK (delivery_byte_burst >= 1),
    max_packet_size           INTEGER CHECK (max_packet_size BETWEEN 1 AND 268435455),
    disconnect_after_seconds  INTEGER CHECK (disconnect_after_seconds BETWEEN 1 AND 86400)
);

CREATE TABLE role_limits (
    role_name                 VARCHAR(256) NOT NULL PRIMARY KEY
                              REFERENCES roles (name) ON DELETE CASCADE ON UPDATE CASCADE,
    messages_per_second       DOUBLE CHECK (messages_per_second > 0),
    message_burst             DOUBLE CHECK (message_burst >= 1),
    bytes_per_second          BIGINT CHECK (bytes_per_second > 0),
    byte_burst                BIGINT CHECK (byte_burst >= 1),
    deliveries_per_second     DOUBLE CHECK (deliveries_per_second > 0),
    delivery_burst            DOUBLE CHECK (delivery_burst >= 1),
    delivery_bytes_per_second BIGINT CHECK (delivery_bytes_per_second > 0),
    delivery_byte_burst       BIGINT CHECK (delivery_byte_burst >= 1),
    max_packet_size           INTEGER CHECK (max_packet_size BETWEEN 1 AND 268435455),
    disconnect_after_seconds  INTEGER CHECK (disconnect_after_seconds BETWEEN 1 AND 86400)
);

INSERT INTO schema_version (version, description) VALUES (3, 'limits per user and role');
