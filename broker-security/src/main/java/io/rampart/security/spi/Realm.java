package io.rampart.security.spi;

/**
 * A store of identities (users, roles, permissions, or the keys that vouch for them): a file, a SQL
 * database, an LDAP directory, a token issuer. Pipelines reach a realm through the managers it hands out;
 * one realm may serve several pipelines. Opened at startup (an invalid realm refuses to start) and closed
 * at shutdown.
 */
public interface Realm extends AutoCloseable {

    /** The realm's configured name (access log, metrics). */
    String name();

    /** The realm type as configured: {@code file}, {@code sql}, {@code ldap}, {@code jwt}. */
    String type();

    /**
     * The authentication manager this realm offers (user name + password for file, SQL and LDAP realms, a
     * token for JWT realms).
     *
     * @throws UnsupportedOperationException when the realm cannot authenticate
     */
    AuthenticationManager authenticator(String managerName);

    /**
     * The authorization manager this realm offers: the permissions of users and roles it knows.
     *
     * @throws UnsupportedOperationException when the realm holds no permissions
     */
    AuthorizationManager authorizer(String managerName);

    /**
     * Why the realm cannot serve requests right now (database or directory unreachable), or {@code null}
     * when it can. Must not block: report what the realm last observed. Used by the readiness endpoint.
     */
    default String unavailableReason() {
        return null;
    }

    /**
     * Re-authorizes now every live session that depends on this realm: the realm forgets what it cached about its
     * users, roles and permissions (a file realm reads its file again) and then calls the change listeners of the
     * managers it handed out, so the server re-reads each live session's current user, roles and permissions.
     * Returns at once; the sessions are re-authorized in the background, off the event loops. Default: nothing to
     * re-check (the realm's answers never change).
     */
    default void recheck() {
    }

    @Override
    void close();
}
