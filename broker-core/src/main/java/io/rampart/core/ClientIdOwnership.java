package io.rampart.core;

/**
 * Who may bind a connection to a session that already exists (live or persistent) under the same client id.
 * Either way the identity that created or last resumed a session is recorded as its owner.
 */
public enum ClientIdOwnership {
    /**
     * Only the session's owner: a CONNECT of another authenticated identity (or of an anonymous client) is
     * refused and the session and its live connection stay as they are. Sessions created by anonymous
     * clients belong to nobody and may be taken by anyone.
     */
    STRICT,
    /** Plain MQTT: any client that uses the client id takes the session over (and becomes its owner). */
    TAKEOVER
}
