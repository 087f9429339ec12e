package io.rampart.core.session;

import java.util.Objects;

/**
 * The identity a session belongs to: its name together with the authority that vouched for it (a realm, or an
 * authentication manager for identities that belong to no realm). Two connections are the same identity only
 * when both parts are equal, so a certificate's {@code alice} and a users file's {@code alice} differ unless
 * both belong to the same realm. Anonymous clients have no owner value ({@code null}).
 *
 * @param authority what vouched for the identity, e.g. {@code realm local} or {@code manager x509}
 * @param name      the identity's name
 */
public record SessionOwner(String authority, String name) {

    public SessionOwner {
        Objects.requireNonNull(authority, "authority");
        Objects.requireNonNull(name, "name");
    }

    /** For log lines: {@code 'alice' (realm local)}. */
    @Override
    public String toString() {
        return "'" + name + "' (" + authority + ")";
    }
}
