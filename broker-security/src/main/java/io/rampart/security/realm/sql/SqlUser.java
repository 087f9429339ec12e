package io.rampart.security.realm.sql;

import java.util.List;

/**
 * A row of {@code users} with the names of its roles.
 *
 * @param passwordHash encoded hash, or {@code null} when the user cannot log in with a password
 */
public record SqlUser(String username, String passwordHash, boolean enabled, List<String> roles) {

    public SqlUser {
        roles = List.copyOf(roles);
    }
}
