package io.rampart.admin.auth;

import io.rampart.admin.rbac.AdminGrants;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An authenticated admin caller.
 *
 * @param name       identity name (realm user, token subject, certificate CN; for API tokens their creator)
 * @param realm      the realm that vouched for it, or {@code null} (API tokens)
 * @param method     how it authenticated
 * @param tokenId    the API token's id, or {@code null}
 * @param roles      realm roles (or the token's roles)
 * @param attributes the identity's attributes (placeholders such as {@code ${jwt-sub}})
 * @param manager    the authentication manager that decided, or {@code token}
 * @param expiresAt  when the credential stops being valid, or {@code null}
 * @param grants     its admin permissions
 */
public record AdminPrincipal(String name, String realm, AuthMethod method, String tokenId, Set<String> roles,
                             Map<String, String> attributes, String manager, Instant expiresAt, AdminGrants grants) {

    public AdminPrincipal {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(method, "method");
        roles = Set.copyOf(roles);
        attributes = Map.copyOf(attributes);
        Objects.requireNonNull(grants, "grants");
    }

    /** The same caller, as seen through its browser session. */
    public AdminPrincipal viaSession() {
        return new AdminPrincipal(name, realm, AuthMethod.SESSION, tokenId, roles, attributes, manager, expiresAt, grants);
    }
}
