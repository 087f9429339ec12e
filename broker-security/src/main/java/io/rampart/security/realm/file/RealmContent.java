package io.rampart.security.realm.file;

import io.rampart.security.limits.IdentityLimits;
import io.rampart.security.permission.AdminGrantSpec;
import io.rampart.security.permission.Permission;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One validated version of a realm file; immutable, swapped as a whole on reload.
 *
 * @param roleLimits the limits of the roles that set any ({@code limits:} beside {@code permissions:})
 * @param roleAdminPermissions the {@code admin-permissions} of the roles that have any
 */
record RealmContent(Map<String, UserEntry> users, Map<String, List<Permission>> roles,
                    Map<String, IdentityLimits> roleLimits, Map<String, List<AdminGrantSpec>> roleAdminPermissions,
                    byte[] digest) {

    static final RealmContent EMPTY = new RealmContent(Map.of(), Map.of(), Map.of(), Map.of(), new byte[0]);

    RealmContent {
        users = Collections.unmodifiableMap(new LinkedHashMap<>(users));
        roles = Collections.unmodifiableMap(new LinkedHashMap<>(roles));
        roleLimits = Map.copyOf(roleLimits);
        roleAdminPermissions = Map.copyOf(roleAdminPermissions);
        digest = digest.clone();
    }

    /** The user's own {@code admin-permissions} followed by those of its roles. */
    List<AdminGrantSpec> adminPermissionsOf(UserEntry user) {
        List<AdminGrantSpec> result = new ArrayList<>(user.adminPermissions());
        for (String role : user.roles()) {
            result.addAll(roleAdminPermissions.getOrDefault(role, List.of()));
        }
        return List.copyOf(result);
    }

    /** The strictest of the user's own limits and those of its roles and of the extra roles known here. */
    IdentityLimits limitsOf(UserEntry user, Collection<String> extraRoles) {
        IdentityLimits limits = limitsOfRoles(user.roles()).strictest(user.limits());
        return limitsOfRoles(extraRoles).strictest(limits);
    }

    /** The strictest of the limits of the given roles; unknown roles and roles without limits add nothing. */
    IdentityLimits limitsOfRoles(Collection<String> roleNames) {
        IdentityLimits limits = IdentityLimits.NONE;
        for (String role : roleNames) {
            IdentityLimits of = roleLimits.get(role);
            if (of != null) {
                limits = limits.strictest(of);
            }
        }
        return limits;
    }

    /** The user's own permissions followed by those of its roles and of the extra roles known here. */
    List<Permission> permissionsOf(UserEntry user, Collection<String> extraRoles) {
        Set<String> roleNames = new LinkedHashSet<>(user.roles());
        roleNames.addAll(extraRoles);
        List<Permission> result = new ArrayList<>(user.permissions());
        result.addAll(permissionsOfRoles(roleNames));
        return List.copyOf(result);
    }

    /** Permissions of the given roles that exist in this file, in the given order; unknown roles are skipped. */
    List<Permission> permissionsOfRoles(Collection<String> roleNames) {
        List<Permission> result = new ArrayList<>();
        for (String role : roleNames) {
            List<Permission> permissions = roles.get(role);
            if (permissions != null) {
                result.addAll(permissions);
            }
        }
        return List.copyOf(result);
    }
}
