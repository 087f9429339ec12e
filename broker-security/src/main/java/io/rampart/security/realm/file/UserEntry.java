package io.rampart.security.realm.file;

import io.rampart.security.limits.IdentityLimits;
import io.rampart.security.permission.AdminGrantSpec;
import io.rampart.security.permission.Permission;

import java.util.List;

/**
 * One user of a realm file.
 *
 * @param passwordHash encoded hash, or {@code null} when the user cannot log in with a password (its
 *                     permissions still apply to an identity of that name authenticated elsewhere)
 * @param roles        role names, all defined in the same file
 * @param permissions  the user's own permissions (not those of its roles)
 * @param limits       the user's own limits (not those of its roles), {@link IdentityLimits#NONE} when none are set
 * @param adminPermissions the user's own {@code admin-permissions} (not those of its roles)
 */
record UserEntry(String username, String passwordHash, List<String> roles, List<Permission> permissions,
                 IdentityLimits limits, List<AdminGrantSpec> adminPermissions) {

    UserEntry {
        roles = List.copyOf(roles);
        permissions = List.copyOf(permissions);
        limits = limits == null ? IdentityLimits.NONE : limits;
        adminPermissions = List.copyOf(adminPermissions);
    }
}
