package io.rampart.security.realm.admin;

import io.rampart.security.permission.AdminGrantSpec;
import io.rampart.security.permission.Permission;

import java.util.List;
import java.util.Objects;

/**
 * A role of a realm as the admin API shows and changes it.
 *
 * @param name             the role name
 * @param permissions      its topic and client-id rules, each with its origin when read
 * @param adminPermissions its admin permissions
 */
public record RealmRole(String name, List<Permission> permissions, List<AdminGrantSpec> adminPermissions) {

    public RealmRole {
        Objects.requireNonNull(name, "name");
        permissions = List.copyOf(permissions);
        adminPermissions = List.copyOf(adminPermissions);
    }
}
