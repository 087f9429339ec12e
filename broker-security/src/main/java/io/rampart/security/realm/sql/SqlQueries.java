package io.rampart.security.realm.sql;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The read queries of a SQL realm; each a SELECT with exactly one {@code ?} (the user or role name). Replace
 * them to read users from an existing schema; the defaults read the Rampart schema.
 *
 * @param user            the user's password hash (column 1, NULL = no password login) and, optionally, whether
 *                        it is enabled (column 2, boolean; absent = enabled). No row = unknown user
 * @param userRoles       the user's role names (column 1)
 * @param userPermissions the user's own permission rules, columns named as in the {@code permissions} table
 *                        ({@code topic_filter} or {@code client_id} required; the others default as in the schema)
 * @param rolePermissions a role's permission rules, same columns
 * @param roleExists      any row when the role exists
 * @param userLimits      the user's own limits: at most one row, columns named as in the {@code user_limits} table
 *                        ({@code messages_per_second}, ..., {@code disconnect_after_seconds},
 *                        {@code max_queued_messages}, {@code max_queued_bytes}, {@code queue_overflow}; absent or
 *                        NULL = not set), or {@code null} to read no limits of users
 * @param roleLimits      a role's limits, same columns, or {@code null} to read no limits of roles
 */
public record SqlQueries(String user, String userRoles, String userPermissions, String rolePermissions,
                         String roleExists, String userLimits, String roleLimits) {

    /** The columns of the Rampart schema's {@code user_limits} and {@code role_limits} tables (versions 3 and 5). */
    static final List<String> LIMIT_COLUMNS = List.of("messages_per_second", "message_burst", "bytes_per_second",
            "byte_burst", "deliveries_per_second", "delivery_burst", "delivery_bytes_per_second",
            "delivery_byte_burst", "max_packet_size", "disconnect_after_seconds", "max_queued_messages",
            "max_queued_bytes", "queue_overflow");

    private static final String PERMISSION_COLUMNS = "p.id, p.topic_filter, p.client_id, p.activity, p.qos_0, p.qos_1, "
            + "p.qos_2, p.retain, p.shared_subscription, p.share_groups, p.effect";

    /** The queries of the Rampart schema ({@code config/sql}). */
    public static final SqlQueries DEFAULT = new SqlQueries(
            "SELECT password_hash, enabled FROM users WHERE username = ?",
            "SELECT role_name FROM user_roles WHERE username = ? ORDER BY role_name",
            "SELECT " + PERMISSION_COLUMNS + " FROM permissions p JOIN user_permissions up"
                    + " ON up.permission_id = p.id WHERE up.username = ? ORDER BY p.ordering, p.id",
            "SELECT " + PERMISSION_COLUMNS + " FROM permissions p JOIN role_permissions rp"
                    + " ON rp.permission_id = p.id WHERE rp.role_name = ? ORDER BY p.ordering, p.id",
            "SELECT 1 FROM roles WHERE name = ?",
            "SELECT " + String.join(", ", LIMIT_COLUMNS) + " FROM user_limits WHERE username = ?",
            "SELECT " + String.join(", ", LIMIT_COLUMNS) + " FROM role_limits WHERE role_name = ?");

    public SqlQueries {
        check("user", user);
        check("user-roles", userRoles);
        check("user-permissions", userPermissions);
        check("role-permissions", rolePermissions);
        check("role-exists", roleExists);
        if (userLimits != null) {
            check("user-limits", userLimits);
        }
        if (roleLimits != null) {
            check("role-limits", roleLimits);
        }
    }

    /** Queries that read no limits. */
    public SqlQueries(String user, String userRoles, String userPermissions, String rolePermissions,
                      String roleExists) {
        this(user, userRoles, userPermissions, rolePermissions, roleExists, null, null);
    }

    public boolean isDefault() {
        return equals(DEFAULT);
    }

    private static void check(String key, String sql) {
        Objects.requireNonNull(sql, key);
        String s = sql.strip();
        if (!s.toUpperCase(Locale.ROOT).startsWith("SELECT ") && !s.toUpperCase(Locale.ROOT).startsWith("WITH ")) {
            throw new IllegalArgumentException("queries." + key + ": must be a SELECT");
        }
        if (s.chars().filter(c -> c == '?').count() != 1) {
            throw new IllegalArgumentException("queries." + key + ": must have exactly one '?' (the name)");
        }
        if (s.contains(";")) {
            throw new IllegalArgumentException("queries." + key + ": must be one statement (no ';')");
        }
    }
}
