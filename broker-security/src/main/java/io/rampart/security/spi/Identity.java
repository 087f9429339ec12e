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
 *                   token mappings); used when no authorization manager has an opinion
 * @param attributes extra identity variables to add for placeholders (e.g. {@code jwt-sub})
 * @param manager    name of the authentication manager that decided (for the access log)
 * @param realm      name of the realm behind it, or {@code null}
 * @param expiresAt  when the credential behind this identity stops being valid (a token's {@code exp}, a
 *                   certificate's not-after), or {@code null} for never; the server disconnects the session
 *                   then unless the client re-authenticates
 */
public record Identity(String name, Set<String> roles, List<Permission> grants, Map<String, String> attributes,
                       String manager, String realm, Instant expiresAt) {

    public Identity {
        roles = roles == null ? Set.of() : Set.copyOf(roles);
        grants = grants == null ? List.of() : List.copyOf(grants);
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /** An identity that does not expire. */
    public Identity(String name, Set<String> roles, List<Permission> grants, Map<String, String> attributes,
                    String manager, String realm) {
        this(name, roles, grants, attributes, manager, realm, null);
    }
}
