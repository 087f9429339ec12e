package io.rampart.security.realm.admin;

import io.rampart.security.permission.AdminGrantSpec;
import io.rampart.security.permission.Permission;

import java.util.List;
import java.util.Objects;

/**
 * A user of a realm as the admin API shows and changes it; never its password or hash.
 *
 * @param name             the user name
 * @param hasPassword      whether the user can log in with a password (read only)
 * @param enabled          whether the user may log in (SQL realms; a file realm's users are always enabled)
 * @param roles            its role names
 * @param permissions      its own topic and client-id rules (not those of its roles), each with its origin when read
 * @param adminPermissions its own admin permissions (not those of its roles)
 */
public record RealmUser(String name, boolean hasPassword, boolean enabled, List<String> roles,
                        List<Permission> permissions, List<AdminGrantSpec> adminPermissions) {

    public RealmUser {
        Objects.requireNonNull(name, "name");
        roles = List.copyOf(roles);
        permissions = List.copyOf(permissions);
        adminPermissions = List.copyOf(adminPermissions);
    }
}
