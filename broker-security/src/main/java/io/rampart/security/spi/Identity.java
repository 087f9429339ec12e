package io.rampart.security.spi;

import io.rampart.security.permission.Permission;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who a client was authenticated as.
 *
 * @param name       the identity's name (user name, certificate CN, token subject, "anonymous")
 * @param roles      role names, used by authorization managers to find permissions
 * @param grants     permissions that come with the identity itself (anonymous manager, certificate or
 *                   token mappings); used when no authorization manager allows
 * @param attributes extra identity variables to add for placeholders (e.g. {@code jwt-sub})
 * @param manager    name of the authentication manager that decided (for the access log)
 * @param realm      name of the realm behind it, or {@code null}
 * @param expiresAt  when the credential behind this identity stops being valid (a token's {@code exp}, a
 *                   certificate's not-after), or {@code null} for never; the server disconnects the session
 *                   then unless the client re-authenticates
 * @param rolesRealm the realm whose user record vouches for this identity and its roles (a user of a file,
 *                   SQL or LDAP realm that logged in with its password), or {@code null} when the roles come
 *                   with the credential itself (certificate mapping, token claims) or there is no user record.
 *                   Re-authorization reads the user and its roles again from this realm (through
 *                   {@link AuthenticationManager#refresh}); that realm's authorization manager denies the
 *                   identity once the user is gone. An identity with a user record is a known user: it is let
 *                   in even when no authorization manager grants it anything (with no permissions).
 */
public record Identity(String name, Set<String> roles, List<Permission> grants, Map<String, String> attributes,
                       String manager, String realm, Instant expiresAt, String rolesRealm) {

    public Identity {
        roles = roles == null ? Set.of() : Set.copyOf(roles);
        grants = grants == null ? List.of() : List.copyOf(grants);
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /** An identity whose roles come with its credential ({@code rolesRealm} is {@code null}). */
    public Identity(String name, Set<String> roles, List<Permission> grants, Map<String, String> attributes,
                    String manager, String realm, Instant expiresAt) {
        this(name, roles, grants, attributes, manager, realm, expiresAt, null);
    }

    /** An identity that does not expire and whose roles come with its credential. */
    public Identity(String name, Set<String> roles, List<Permission> grants, Map<String, String> attributes,
                    String manager, String realm) {
        this(name, roles, grants, attributes, manager, realm, null, null);
    }

    /**
     * A user of {@code realm}, authenticated by {@code manager} with the roles its user record holds; does not
     * expire.
     */
    public static Identity userOf(String realm, String manager, String name, Set<String> roles,
                                  Map<String, String> attributes) {
        return new Identity(name, roles, List.of(), attributes, manager, realm, null, realm);
    }

    /** The same identity with the roles its user record holds now. */
    public Identity withRoles(Set<String> currentRoles) {
        return new Identity(name, currentRoles, grants, attributes, manager, realm, expiresAt, rolesRealm);
    }
}
