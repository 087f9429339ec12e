package io.rampart.security.realm.sql;

import io.rampart.core.topic.Topics;
import io.rampart.security.limits.IdentityLimits;
import io.rampart.security.limits.LimitsSyntax;
import io.rampart.security.permission.Activity;
import io.rampart.security.permission.AdminGrantSpec;
import io.rampart.security.permission.ClientIdPattern;
import io.rampart.security.permission.Effect;
import io.rampart.security.permission.Permission;
import io.rampart.security.permission.RuleOrigin;
import io.rampart.security.spi.Grant;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The realm's read queries. Blocking JDBC: call only from the realm's own executor. Every statement is
 * bounded by the query timeout. Permission rows that do not make a valid rule (a malformed topic filter, an
 * unknown activity) are skipped with a warning, so one bad row cannot lock everybody out; a client-id rule with
 * an invalid pattern is kept, matching no client id, because skipping an allow rule would lift the restriction.
 */
final class SqlDirectory {

    private static final Logger LOG = LogManager.getLogger("io.rampart.security.realm.sql");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{[A-Za-z0-9_.-]+}");

    private final String realm;
    private final DataSource dataSource;
    private final int queryTimeoutSeconds;
    private final SqlQueries queries;

    SqlDirectory(String realm, DataSource dataSource, int queryTimeoutSeconds, SqlQueries queries) {
        this.realm = realm;
        this.dataSource = dataSource;
        this.queryTimeoutSeconds = queryTimeoutSeconds;
        this.queries = queries;
    }

    Optional<SqlUser> user(String username) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return user(c, username);
        }
    }

    private Optional<SqlUser> user(Connection c, String username) throws SQLException {
        String hash;
        boolean enabled;
        try (PreparedStatement st = prepare(c, queries.user())) {
            st.setString(1, username);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                hash = rs.getString(1);
                enabled = rs.getMetaData().getColumnCount() < 2 || rs.getBoolean(2);
            }
        }
        List<String> roles = new ArrayList<>();
        try (PreparedStatement st = prepare(c, queries.userRoles())) {
            st.setString(1, username);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    roles.add(rs.getString(1));
                }
            }
        }
        return Optional.of(new SqlUser(username, hash, enabled, roles));
    }

    /**
     * The permissions and limits of an identity: when it names a user of the database, the user's own permissions
     * followed by those of its roles and of the {@code extraRoles} the database defines, and the strictest of their
     * limits; otherwise those of the {@code extraRoles} the database defines. Empty when it is neither an enabled
     * user nor carries any known role.
     */
    Optional<Grant> grantOf(String identity, Collection<String> extraRoles) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Optional<SqlUser> user = user(c, identity).filter(SqlUser::enabled);
            Set<String> roles = new LinkedHashSet<>();
            user.ifPresent(u -> roles.addAll(u.roles()));
            for (String role : extraRoles) {
                if (!roles.contains(role) && roleExists(c, role)) {
                    roles.add(role);
                }
            }
            if (user.isEmpty() && roles.isEmpty()) {
                return Optional.empty();
            }
            List<Permission> out = new ArrayList<>();
            IdentityLimits limits = IdentityLimits.NONE;
            if (user.isPresent()) {
                read(c, queries.userPermissions(), identity, "user '" + identity + "'", out);
                limits = limits(c, queries.userLimits(), identity).strictest(limits);
            }
            for (String role : roles) {
                read(c, queries.rolePermissions(), role, "role '" + role + "'", out);
                limits = limits.strictest(limits(c, queries.roleLimits(), role));
            }
            return Optional.of(new Grant(out, limits));
        }
    }

    /**
     * The limits of one row of a limits query ({@code null} query: none). A row whose values make no valid limits
     * is skipped with a warning: the rest of the grant still applies.
     */
    private IdentityLimits limits(Connection c, String sql, String key) throws SQLException {
        if (sql == null) {
            return IdentityLimits.NONE;
        }
        try (PreparedStatement st = prepare(c, sql)) {
            st.setString(1, key);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return IdentityLimits.NONE;
                }
                java.sql.ResultSetMetaData meta = rs.getMetaData();
                java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    String column = meta.getColumnLabel(i).toLowerCase(Locale.ROOT);
                    String value = rs.getString(i);
                    if (value != null && SqlQueries.LIMIT_COLUMNS.contains(column)) {
                        values.put(limitKey(column), column.equals("disconnect_after_seconds") ? value + "s"
                                : plainNumber(value));
                    }
                }
                try {
                    return LimitsSyntax.parse(values);
                } catch (IllegalArgumentException e) {
                    LOG.warn("SQL realm '{}': limits of '{}' skipped: {}", realm, key, e.getMessage());
                    return IdentityLimits.NONE;
                }
            }
        }
    }

    /** The limits key of a column: {@code messages_per_second} is {@code messages-per-second}. */
    private static String limitKey(String column) {
        return column.equals("disconnect_after_seconds") ? "disconnect-after" : column.replace('_', '-');
    }

    /** A number as the database prints it ({@code 10.0}, {@code 1E+2}) in the plain form the limits syntax reads. */
    private static String plainNumber(String value) {
        try {
            return new java.math.BigDecimal(value.strip()).stripTrailingZeros().toPlainString();
        } catch (NumberFormatException e) {
            return value;
        }
    }

    /**
     * The {@code admin_permissions} rows of a user and of the roles it holds (the Rampart schema's tables; custom
     * queries have none): the user's own first, then by role. Rows that do not make an entry are skipped with a
     * warning.
     */
    List<AdminGrantSpec> adminPermissionsOf(String username) throws SQLException {
        List<AdminGrantSpec> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement st = prepare(c, "SELECT id, username, role_name, template, permissions, clients, topics"
                     + " FROM admin_permissions WHERE username = ? OR role_name IN"
                     + " (SELECT role_name FROM user_roles WHERE username = ?)"
                     + " ORDER BY CASE WHEN username IS NULL THEN 1 ELSE 0 END, role_name, ordering, id")) {
            st.setString(1, username);
            st.setString(2, username);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    long id = rs.getLong(1);
                    String holder = rs.getString(2) != null ? "user '" + rs.getString(2) + "'"
                            : "role '" + rs.getString(3) + "'";
                    try {
                        out.add(adminGrant(rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7))
                                .withOrigin(adminRowOrigin(realm, holder, id)));
                    } catch (IllegalArgumentException e) {
                        LOG.warn("SQL realm '{}': admin_permissions id {} skipped: {}", realm, id, e.getMessage());
                    }
                }
            }
        }
        return out;
    }

    /** An {@code admin_permissions} row as an entry ({@code permissions} comma-separated). */
    static AdminGrantSpec adminGrant(String template, String permissions, String clients, String topics) {
        List<String> names = new ArrayList<>();
        if (permissions != null) {
            for (String p : permissions.split(",")) {
                if (!p.isBlank()) {
                    names.add(p.strip());
                }
            }
        }
        return new AdminGrantSpec(template == null ? null : template.strip(), names, clients, topics, null);
    }

    static RuleOrigin adminRowOrigin(String realm, String holder, long id) {
        return new RuleOrigin(realm, holder, "admin_permissions row " + id, 0, id);
    }

    /** A cheap round trip, to learn whether the database answers. */
    void ping() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (!c.isValid(queryTimeoutSeconds)) {
                throw new SQLException("connection not valid");
            }
        }
    }

    private boolean roleExists(Connection c, String role) throws SQLException {
        try (PreparedStatement st = prepare(c, queries.roleExists())) {
            st.setString(1, role);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    private void read(Connection c, String sql, String key, String holder, List<Permission> out) throws SQLException {
        try (PreparedStatement st = prepare(c, sql)) {
            st.setString(1, key);
            try (ResultSet rs = st.executeQuery()) {
                Columns columns = Columns.of(rs);
                while (rs.next()) {
                    try {
                        Permission p = permission(rs, columns).withOrigin(RuleOrigin.sqlRow(realm, holder,
                                rowId(rs, columns)));
                        String invalid = p.isClientIdRule() ? ClientIdPattern.problem(p.topicFilter()) : null;
                        if (invalid != null) {
                            LOG.warn("SQL realm '{}': client-id rule id {} matches no client id: {}", realm,
                                    columns.has("id") ? rs.getString(columns.index("id")) : "?", invalid);
                        }
                        out.add(p);
                    } catch (IllegalArgumentException e) {
                        String id = columns.has("id") ? rs.getString(columns.index("id")) : "?";
                        LOG.warn("SQL realm '{}': permission id {} skipped: {}", realm, id, e.getMessage());
                    }
                }
            }
        }
    }

    /** The row's numeric {@code id}, or 0 when a custom query returns none (or not a number). */
    private static long rowId(ResultSet rs, Columns columns) {
        if (!columns.has("id")) {
            return 0;
        }
        try {
            return rs.getLong(columns.index("id"));
        } catch (SQLException e) {
            return 0;
        }
    }

    private PreparedStatement prepare(Connection c, String sql) throws SQLException {
        PreparedStatement st = c.prepareStatement(sql);
        st.setQueryTimeout(queryTimeoutSeconds);
        return st;
    }

    /** Column labels of a result set (lower case), so custom queries may leave optional columns out. */
    record Columns(java.util.Map<String, Integer> byName) {
        static Columns of(ResultSet rs) throws SQLException {
            java.sql.ResultSetMetaData meta = rs.getMetaData();
            java.util.Map<String, Integer> map = new java.util.HashMap<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                map.putIfAbsent(meta.getColumnLabel(i).toLowerCase(Locale.ROOT), i);
            }
            if (!map.containsKey("topic_filter") && !map.containsKey("client_id")) {
                throw new SQLException("permission query returns neither a topic_filter nor a client_id column");
            }
            return new Columns(map);
        }

        boolean has(String name) {
            return byName.containsKey(name);
        }

        int index(String name) {
            return byName.get(name);
        }

        String string(ResultSet rs, String name) throws SQLException {
            return has(name) ? rs.getString(index(name)) : null;
        }

        boolean bool(ResultSet rs, String name, boolean defaultValue) throws SQLException {
            if (!has(name)) {
                return defaultValue;
            }
            boolean value = rs.getBoolean(index(name));
            return rs.wasNull() ? defaultValue : value;
        }
    }

    /**
     * One row as a rule, validated like a realm file's (the reason names the column): a topic rule, or with
     * {@code client_id} set a client-id rule (only {@code effect} applies to it). A client-id rule is kept even when
     * its pattern is invalid: it then matches no client id, so an allow rule still restricts (fail closed).
     */
    static Permission permission(ResultSet rs, Columns col) throws SQLException {
        Effect effect = switch (lower(col.string(rs, "effect"), "allow")) {
            case "allow" -> Effect.ALLOW;
            case "deny" -> Effect.DENY;
            default -> throw new IllegalArgumentException("effect: expected allow or deny");
        };
        String topic = col.string(rs, "topic_filter");
        String clientId = col.string(rs, "client_id");
        if (clientId != null) {
            if (topic != null) {
                throw new IllegalArgumentException("topic_filter and client_id: a row is either a topic rule or a "
                        + "client-id rule, not both");
            }
            return Permission.clientId(clientId, effect);
        }
        if (topic == null || topic.isEmpty()) {
            throw new IllegalArgumentException("topic_filter: empty");
        }
        if (Topics.isShared(topic)) {
            throw new IllegalArgumentException("topic_filter: write the plain filter, not $share/...; use "
                    + "shared_subscription and share_groups");
        }
        String shape = PLACEHOLDER.matcher(topic).replaceAll("x");
        String problem = Topics.validateTopicFilter(shape, 65_535, 65_535);
        if (problem != null || shape.contains("${")) {
            throw new IllegalArgumentException("topic_filter '" + topic + "': "
                    + (problem != null ? problem : "malformed placeholder"));
        }
        Activity activity = switch (lower(col.string(rs, "activity"), "all")) {
            case "publish" -> Activity.PUBLISH;
            case "subscribe" -> Activity.SUBSCRIBE;
            case "all" -> Activity.ALL;
            default -> throw new IllegalArgumentException("activity: expected publish, subscribe or all");
        };
        int qos = (col.bool(rs, "qos_0", true) ? 1 : 0) | (col.bool(rs, "qos_1", true) ? 2 : 0)
                | (col.bool(rs, "qos_2", true) ? 4 : 0);
        if (qos == 0) {
            throw new IllegalArgumentException("qos_0, qos_1, qos_2: at least one must be true");
        }
        Set<String> groups = new LinkedHashSet<>();
        String groupText = col.string(rs, "share_groups");
        if (groupText != null) {
            for (String g : groupText.split(",")) {
                String group = g.strip();
                if (group.isEmpty()) {
                    continue;
                }
                if (group.indexOf('/') >= 0 || group.indexOf('+') >= 0 || group.indexOf('#') >= 0) {
                    throw new IllegalArgumentException("share_groups: a group may not contain '/', '+' or '#'");
                }
                groups.add(group);
            }
        }
        boolean retain = col.bool(rs, "retain", true);
        boolean shared = col.bool(rs, "shared_subscription", true);
        if (!groups.isEmpty() && !shared) {
            throw new IllegalArgumentException("share_groups given but shared_subscription is false");
        }
        return new Permission(topic, activity, qos, retain, shared, groups, effect);
    }

    private static String lower(String value, String defaultValue) {
        return value == null ? defaultValue : value.strip().toLowerCase(Locale.ROOT);
    }
}
