package io.rampart.security.realm.sql;

import io.rampart.security.permission.Permission;

/**
 * A permission as stored in the Rampart schema, with the role or user it belongs to, as {@code rampart users
 * permissions} lists it.
 *
 * @param id          {@code permissions.id}
 * @param owner       whose rule it is
 * @param pattern     the stored topic filter, or the client-id pattern of a client-id rule, as written
 * @param permission  the rule as the realm reads it, or {@code null} when the realm skips the row
 * @param problem     why the realm skips the row, or {@code null}
 * @param description {@code permissions.description}, or {@code null}
 */
public record PermissionRow(long id, Owner owner, String pattern, Permission permission, String problem,
                            String description) {

    /** A role or a user that holds permissions. */
    public record Owner(boolean role, String name) {

        public static Owner role(String name) {
            return new Owner(true, name);
        }

        public static Owner user(String name) {
            return new Owner(false, name);
        }

        @Override
        public String toString() {
            return (role ? "role '" : "user '") + name + "'";
        }
    }
}
