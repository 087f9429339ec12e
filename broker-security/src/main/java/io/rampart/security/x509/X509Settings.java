package io.rampart.security.x509;

import io.rampart.security.permission.Permission;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Settings of a client-certificate authentication manager.
 *
 * @param name          the manager's name (access log)
 * @param identityField the identity variable the identity's name is taken from, e.g. {@code tls-subject-cn} or
 *                      {@code tls-san-uri} (the first value when the field holds several)
 * @param mustMatch     whether the identity must equal the client id or the user name of the CONNECT
 * @param realm         the realm the identity belongs to (its roles and permissions come from the authorization
 *                      chain, which matches identity names), or {@code null}
 * @param ouRoles       organizational unit → role names
 * @param grants        permissions every certificate identity gets (used when no authorization manager has an
 *                      opinion); may use placeholders like {@code ${tls-subject-cn}}
 */
public record X509Settings(String name, String identityField, MustMatch mustMatch, String realm,
                           Map<String, Set<String>> ouRoles, List<Permission> grants) {

    /** Which CONNECT field must equal the certificate identity. */
    public enum MustMatch {
        NONE, CLIENT_ID, USERNAME
    }

    public X509Settings {
        ouRoles = ouRoles == null ? Map.of() : Map.copyOf(ouRoles);
        grants = grants == null ? List.of() : List.copyOf(grants);
        mustMatch = mustMatch == null ? MustMatch.NONE : mustMatch;
    }
}
