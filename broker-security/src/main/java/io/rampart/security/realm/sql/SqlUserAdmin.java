package io.rampart.security.realm.sql;

import io.rampart.security.permission.AdminGrantSpec;
import io.rampart.security.permission.ClientIdPattern;
import io.rampart.security.permission.Permission;
import io.rampart.security.realm.sql.SqlUserAdmin.AdminException.Kind;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Changes the users, roles and permissions of a SQL realm (what {@code rampart users} does): one connection,
 * one transaction per change. For the embedded default it creates the database and schema when they do not
 * exist yet. Changes reach a running broker within its cache TTL. A permission is checked after it is written
 * by reading it back through the realm's own query and row parser, and rolled back when the realm would skip it.
 */
public final class SqlUserAdmin implements AutoCloseable {

    /** A change that cannot be made (unknown user, user exists); the message is for the operator. */
    public static final class AdminException extends Exception {
        private static final long serialVersionUID = 1L;

        /** What kind of problem, for callers that answer differently (the admin API). */
        public enum Kind {
            NOT_FOUND, EXISTS, INVALID, OTHER
        }

        private final Kind kind;
        private final String field;

        public AdminException(String message) {
            this(Kind.OTHER, null, message);
        }

        /** @param field what the problem is about ({@code roles[1]}), or {@code null} */
        public AdminException(Kind kind, String field, String message) {
            super(message);
            this.kind = kind;
            this.field = field;
        }

        public Kind kind() {
            return kind;
        }

        public String field() {
            return field;
        }
    }

    private final Connection connection;
    private final int queryTimeout;

    private SqlUserAdmin(Connection connection, int queryTimeout) {
        this.connection = connection;
        this.queryTimeout = queryTimeout;
    }

    /** Works on a connection of a running realm's pool (the admin API); closing returns it. */
    static SqlUserAdmin using(Connection connection, int queryTimeoutSeconds) throws SQLException {
        try {
            connection.setAutoCommit(false);
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return new SqlUserAdmin(connection, queryTimeoutSeconds);
    }

    /** Connects with the realm's settings and checks (or, embedded, creates) the schema. */
    public static SqlUserAdmin open(SqlRealmSettings settings) throws SQLException, AdminException {
        Properties props = new Properties();
        props.putAll(settings.driverProperties());
        if (settings.username() != null) {
            props.setProperty("user", settings.username());
        }
        if (settings.password() != null) {
            props.setProperty("password", settings.password());
        }
        if (settings.embedded()) {
            String path = settings.jdbcUrl().substring("jdbc:h2:file:".length());
            Path dir = Path.of(path).getParent();
            try {
                Files.createDirectories(dir);
            } catch (java.io.IOException e) {
                throw new AdminException("cannot create " + dir + ": " + e.getMessage());
            }
        }
        DriverManager.setLoginTimeout((int) Math.max(1, settings.connectionTimeout().toSeconds()));
        Connection c = DriverManager.getConnection(settings.jdbcUrl(), props);
        try {
            String dialect = SqlSchema.dialectOf(settings.jdbcUrl());
            if (!SqlSchema.present(c)) {
                if (!settings.embedded()) {
                    throw new AdminException("the database has no Rampart schema; apply "
                            + SqlSchema.scriptPath(dialect, 1) + " first");
                }
                SqlSchema.apply(c, "h2");
            }
            int version = SqlSchema.installedVersion(c);
            if (version < SqlSchema.VERSION) {
                if (!settings.embedded()) {
                    throw new AdminException("the database has schema version " + version + "; apply "
                            + SqlSchema.scriptPath(dialect, version + 1) + " first");
                }
                SqlSchema.apply(c, "h2");
            }
            c.setAutoCommit(false);
            return new SqlUserAdmin(c, (int) settings.queryTimeout().toSeconds());
        } catch (SQLException | AdminException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Adds a user with its roles (roles that do not exist yet are created). */
    public void add(String username, String passwordHash, Collection<String> roles) throws SQLException, AdminException {
        inTransaction(() -> {
            if (exists(username)) {
                throw new AdminException("user '" + username + "' already exists (use passwd to change its password)");
            }
            update("INSERT INTO users (username, password_hash, enabled) VALUES (?, ?, TRUE)", username, passwordHash);
            grantLocked(username, roles);
        });
    }

    public void remove(String username) throws SQLException, AdminException {
        inTransaction(() -> {
            if (update("DELETE FROM users WHERE username = ?", username) == 0) {
                throw new AdminException(Kind.NOT_FOUND, null, "no user '" + username + "'");
            }
        });
    }

    public void setPassword(String username, String passwordHash) throws SQLException, AdminException {
        inTransaction(() -> {
            if (update("UPDATE users SET password_hash = ? WHERE username = ?", passwordHash, username) == 0) {
                throw new AdminException(Kind.NOT_FOUND, null, "no user '" + username + "'");
            }
        });
    }

    public void setEnabled(String username, boolean enabled) throws SQLException, AdminException {
        inTransaction(() -> {
            try (PreparedStatement st = connection.prepareStatement("UPDATE users SET enabled = ? WHERE username = ?")) {
                st.setQueryTimeout(queryTimeout);
                st.setBoolean(1, enabled);
                st.setString(2, username);
                if (st.executeUpdate() == 0) {
                    throw new AdminException("no user '" + username + "'");
                }
            }
        });
    }

    /** Gives the user roles; roles that do not exist yet are created (without permissions). */
    public void grant(String username, Collection<String> roles) throws SQLException, AdminException {
        inTransaction(() -> {
            if (!exists(username)) {
                throw new AdminException("no user '" + username + "'");
            }
            grantLocked(username, roles);
        });
    }

    public void revoke(String username, Collection<String> roles) throws SQLException, AdminException {
        inTransaction(() -> {
            if (!exists(username)) {
                throw new AdminException("no user '" + username + "'");
            }
            for (String role : roles) {
                update("DELETE FROM user_roles WHERE username = ? AND role_name = ?", username, role);
            }
        });
    }

    /**
     * Adds a permission rule to a role or a user. A role that does not exist yet is created; a user must exist.
     *
     * @param rule        a topic rule ({@code shareGroups} are stored comma-separated) or a client-id rule
     * @param description stored with the rule, or {@code null}
     * @return the new rule's id
     * @throws AdminException when the user does not exist, a client-id pattern is invalid, or the realm would not
     *                        accept the rule as stored
     */
    public long permit(PermissionRow.Owner owner, Permission rule, String description)
            throws SQLException, AdminException {
        if (rule.isClientIdRule()) {
            String problem = ClientIdPattern.problem(rule.topicFilter());
            if (problem != null) {
                // the realm would keep it, matching no client id (fail closed); never write one on purpose
                throw new AdminException("not added: " + problem);
            }
        }
        long[] id = new long[1];
        inTransaction(() -> {
            if (owner.role()) {
                if (!rowExists("SELECT 1 FROM roles WHERE name = ?", owner.name())) {
                    update("INSERT INTO roles (name) VALUES (?)", owner.name());
                }
            } else if (!exists(owner.name())) {
                throw new AdminException("no user '" + owner.name() + "'");
            }
            id[0] = permitLocked(owner, rule, description);
        });
        return id[0];
    }

    private long permitLocked(PermissionRow.Owner owner, Permission rule, String description)
            throws SQLException, AdminException {
        long id = insertPermission(owner, rule, description);
        String link = owner.role() ? "INSERT INTO role_permissions (role_name, permission_id) VALUES (?, ?)"
                : "INSERT INTO user_permissions (username, permission_id) VALUES (?, ?)";
        try (PreparedStatement st = connection.prepareStatement(link)) {
            st.setQueryTimeout(queryTimeout);
            st.setString(1, owner.name());
            st.setLong(2, id);
            st.executeUpdate();
        }
        String problem = readBack(owner, id);
        if (problem != null) {
            throw new AdminException(Kind.INVALID, null, "not added, the realm would skip this rule: " + problem);
        }
        return id;
    }

    /** Whether {@code role} exists. */
    public boolean roleExists(String role) throws SQLException {
        boolean found = rowExists("SELECT 1 FROM roles WHERE name = ?", role);
        connection.commit();
        return found;
    }

    /**
     * The permissions of every role and user, or of one, in the order the realm reads them (roles first, by
     * name). A rule linked to several owners is listed once per owner.
     *
     * @param owner only this role's or user's rules; {@code null} for all
     */
    public List<PermissionRow> permissions(PermissionRow.Owner owner) throws SQLException {
        List<PermissionRow> out = rows(owner);
        connection.commit();
        return out;
    }

    /** Deletes a permission rule (from every role and user that holds it) and returns what it was. */
    public List<PermissionRow> removePermission(long id) throws SQLException, AdminException {
        List<PermissionRow> removed = new ArrayList<>();
        inTransaction(() -> {
            for (PermissionRow row : rows(null)) {
                if (row.id() == id) {
                    removed.add(row);
                }
            }
            try (PreparedStatement st = connection.prepareStatement("DELETE FROM permissions WHERE id = ?")) {
                st.setQueryTimeout(queryTimeout);
                st.setLong(1, id);
                if (st.executeUpdate() == 0) {
                    throw new AdminException("no permission with id " + id);
                }
            }
        });
        return removed;
    }

    private long insertPermission(PermissionRow.Owner owner, Permission rule, String description)
            throws SQLException, AdminException {
        String table = owner.role() ? "role_permissions rp ON rp.permission_id = p.id WHERE rp.role_name = ?"
                : "user_permissions up ON up.permission_id = p.id WHERE up.username = ?";
        int ordering = 0;
        try (PreparedStatement st = connection.prepareStatement(
                "SELECT MAX(p.ordering) FROM permissions p JOIN " + table)) {
            st.setQueryTimeout(queryTimeout);
            st.setString(1, owner.name());
            try (ResultSet rs = st.executeQuery()) {
                if (rs.next() && rs.getObject(1) != null) {
                    ordering = rs.getInt(1) + 1;
                }
            }
        }
        boolean clientId = rule.isClientIdRule();
        try (PreparedStatement st = connection.prepareStatement("INSERT INTO permissions (topic_filter, client_id,"
                        + " activity, qos_0, qos_1, qos_2, retain, shared_subscription, share_groups, effect, ordering,"
                        + " description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", new String[]{"id"})) {
            st.setQueryTimeout(queryTimeout);
            st.setString(1, clientId ? null : rule.topicFilter());
            st.setString(2, clientId ? rule.topicFilter() : null);
            // a client-id rule keeps the schema's defaults in the columns that do not apply to it
            st.setString(3, clientId ? "all" : rule.activity().name().toLowerCase(Locale.ROOT));
            st.setBoolean(4, clientId || rule.allowsQos(0));
            st.setBoolean(5, clientId || rule.allowsQos(1));
            st.setBoolean(6, clientId || rule.allowsQos(2));
            st.setBoolean(7, clientId || rule.retain());
            st.setBoolean(8, clientId || rule.sharedSubscription());
            st.setString(9, rule.shareGroups().isEmpty() ? null : String.join(",", rule.shareGroups()));
            st.setString(10, rule.effect().name().toLowerCase(Locale.ROOT));
            st.setInt(11, ordering);
            st.setString(12, description);
            st.executeUpdate();
            try (ResultSet keys = st.getGeneratedKeys()) {
                if (!keys.next()) {
                    throw new AdminException("the database returned no id for the new permission");
                }
                return keys.getLong(1);
            }
        }
    }

    /** Reads the owner's rules with the realm's own query and parser; why rule {@code id} is skipped, or null. */
    private String readBack(PermissionRow.Owner owner, long id) throws SQLException, AdminException {
        String sql = owner.role() ? SqlQueries.DEFAULT.rolePermissions() : SqlQueries.DEFAULT.userPermissions();
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            st.setQueryTimeout(queryTimeout);
            st.setString(1, owner.name());
            try (ResultSet rs = st.executeQuery()) {
                SqlDirectory.Columns columns = SqlDirectory.Columns.of(rs);
                while (rs.next()) {
                    if (rs.getLong(columns.index("id")) == id) {
                        try {
                            SqlDirectory.permission(rs, columns);
                            return null;
                        } catch (IllegalArgumentException e) {
                            return e.getMessage();
                        }
                    }
                }
            }
        }
        throw new AdminException("the new permission " + id + " cannot be read back");
    }

    private List<PermissionRow> rows(PermissionRow.Owner owner) throws SQLException {
        List<PermissionRow> out = new ArrayList<>();
        if (owner == null || owner.role()) {
            readRows(true, owner == null ? null : owner.name(), out);
        }
        if (owner == null || !owner.role()) {
            readRows(false, owner == null ? null : owner.name(), out);
        }
        return out;
    }

    private void readRows(boolean roles, String name, List<PermissionRow> out) throws SQLException {
        String sql = roles
                ? "SELECT rp.role_name AS owner_name, p.* FROM role_permissions rp JOIN permissions p"
                        + " ON p.id = rp.permission_id" + (name == null ? "" : " WHERE rp.role_name = ?")
                        + " ORDER BY rp.role_name, p.ordering, p.id"
                : "SELECT up.username AS owner_name, p.* FROM user_permissions up JOIN permissions p"
                        + " ON p.id = up.permission_id" + (name == null ? "" : " WHERE up.username = ?")
                        + " ORDER BY up.username, p.ordering, p.id";
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            st.setQueryTimeout(queryTimeout);
            if (name != null) {
                st.setString(1, name);
            }
            try (ResultSet rs = st.executeQuery()) {
                SqlDirectory.Columns columns = SqlDirectory.Columns.of(rs);
                while (rs.next()) {
                    String ownerName = rs.getString(columns.index("owner_name"));
                    PermissionRow.Owner owner = roles ? PermissionRow.Owner.role(ownerName)
                            : PermissionRow.Owner.user(ownerName);
                    Permission permission = null;
                    String problem = null;
                    try {
                        permission = SqlDirectory.permission(rs, columns);
                    } catch (IllegalArgumentException e) {
                        problem = e.getMessage();
                    }
                    String pattern = columns.string(rs, "topic_filter");
                    out.add(new PermissionRow(rs.getLong(columns.index("id")), owner,
                            pattern != null ? pattern : columns.string(rs, "client_id"), permission, problem,
                            columns.string(rs, "description")));
                }
            }
        }
    }

    /** Every user with its roles, by name. */
    public List<SqlUser> list() throws SQLException {
        Map<String, SqlUser> users = new LinkedHashMap<>();
        Map<String, List<String>> roles = new LinkedHashMap<>();
        try (PreparedStatement st = connection.prepareStatement(
                "SELECT username, password_hash, enabled FROM users ORDER BY username")) {
            st.setQueryTimeout(queryTimeout);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    users.put(name, new SqlUser(name, rs.getString(2), rs.getBoolean(3), List.of()));
                    roles.put(name, new ArrayList<>());
                }
            }
        }
        try (PreparedStatement st = connection.prepareStatement(
                "SELECT username, role_name FROM user_roles ORDER BY username, role_name")) {
            st.setQueryTimeout(queryTimeout);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    List<String> r = roles.get(rs.getString(1));
                    if (r != null) {
                        r.add(rs.getString(2));
                    }
                }
            }
        }
        connection.commit();
        List<SqlUser> out = new ArrayList<>();
        for (SqlUser u : users.values()) {
            out.add(new SqlUser(u.username(), u.passwordHash(), u.enabled(), roles.get(u.username())));
        }
        return out;
    }

    /** Users in name order after {@code after} ({@code null}: from the first), at most {@code limit}, with roles. */
    public List<SqlUser> users(String after, int limit) throws SQLException {
        List<SqlUser> page = new ArrayList<>();
        try (PreparedStatement st = connection.prepareStatement("SELECT username, password_hash, enabled FROM users"
                + (after == null ? "" : " WHERE username > ?") + " ORDER BY username")) {
            st.setQueryTimeout(queryTimeout);
            st.setMaxRows(limit);
            if (after != null) {
                st.setString(1, after);
            }
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next() && page.size() < limit) {
                    page.add(new SqlUser(rs.getString(1), rs.getString(2), rs.getBoolean(3), List.of()));
                }
            }
        }
        Map<String, List<String>> roles = new LinkedHashMap<>();
        if (!page.isEmpty()) {
            // One query for the roles of the whole page: its names are a contiguous range in name order.
            try (PreparedStatement st = connection.prepareStatement("SELECT username, role_name FROM user_roles"
                    + " WHERE username >= ? AND username <= ? ORDER BY username, role_name")) {
                st.setQueryTimeout(queryTimeout);
                st.setString(1, page.get(0).username());
                st.setString(2, page.get(page.size() - 1).username());
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        roles.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                    }
                }
            }
        }
        connection.commit();
        List<SqlUser> out = new ArrayList<>(page.size());
        for (SqlUser u : page) {
            out.add(new SqlUser(u.username(), u.passwordHash(), u.enabled(), roles.getOrDefault(u.username(), List.of())));
        }
        return out;
    }

    /** One user with its roles. */
    public Optional<SqlUser> user(String username) throws SQLException {
        Optional<SqlUser> found = Optional.empty();
        try (PreparedStatement st = connection.prepareStatement(
                "SELECT password_hash, enabled FROM users WHERE username = ?")) {
            st.setQueryTimeout(queryTimeout);
            st.setString(1, username);
            try (ResultSet rs = st.executeQuery()) {
                if (rs.next()) {
                    found = Optional.of(new SqlUser(username, rs.getString(1), rs.getBoolean(2), rolesOf(username)));
                }
            }
        }
        connection.commit();
        return found;
    }

    /** Role names in order after {@code after} ({@code null}: from the first), at most {@code limit}. */
    public List<String> roleNames(String after, int limit) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement st = connection.prepareStatement("SELECT name FROM roles"
                + (after == null ? "" : " WHERE name > ?") + " ORDER BY name")) {
            st.setQueryTimeout(queryTimeout);
            st.setMaxRows(limit);
            if (after != null) {
                st.setString(1, after);
            }
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next() && out.size() < limit) {
                    out.add(rs.getString(1));
                }
            }
        }
        connection.commit();
        return out;
    }

    /** The admin permissions of a role or user, in order, each with its row as origin. */
    public List<AdminGrantSpec> adminPermissions(PermissionRow.Owner owner, String realm) throws SQLException {
        List<AdminGrantSpec> out = new ArrayList<>();
        try (PreparedStatement st = connection.prepareStatement("SELECT id, template, permissions, clients, topics"
                + " FROM admin_permissions WHERE " + (owner.role() ? "role_name" : "username") + " = ?"
                + " ORDER BY ordering, id")) {
            st.setQueryTimeout(queryTimeout);
            st.setString(1, owner.name());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    try {
                        out.add(SqlDirectory.adminGrant(rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5)).withOrigin(SqlDirectory.adminRowOrigin(realm, owner.toString(),
                                rs.getLong(1))));
                    } catch (IllegalArgumentException skipped) {
                        // the realm skips it too (and says so when it reads it)
                    }
                }
            }
        }
        connection.commit();
        return out;
    }

    /**
     * Adds a user with its roles (which must exist), rules and admin permissions, in one transaction.
     *
     * @param passwordHash encoded hash, or {@code null} for no password login
     */
    public void createUser(String username, String passwordHash, boolean enabled, List<String> roles,
                           List<Permission> rules, List<AdminGrantSpec> grants) throws SQLException, AdminException {
        inTransaction(() -> {
            if (exists(username)) {
                throw new AdminException(Kind.EXISTS, "username", "user '" + username + "' exists already");
            }
            requireRoles(roles);
            try (PreparedStatement st = connection.prepareStatement(
                    "INSERT INTO users (username, password_hash, enabled) VALUES (?, ?, ?)")) {
                st.setQueryTimeout(queryTimeout);
                st.setString(1, username);
                st.setString(2, passwordHash);
                st.setBoolean(3, enabled);
                st.executeUpdate();
            }
            grantLocked(username, roles);
            replacePermissions(PermissionRow.Owner.user(username), rules);
            replaceAdminPermissions(PermissionRow.Owner.user(username), grants);
        });
    }

    /** Replaces a user's enabled flag, roles (which must exist), rules and admin permissions; keeps its password. */
    public void updateUser(String username, boolean enabled, List<String> roles, List<Permission> rules,
                           List<AdminGrantSpec> grants) throws SQLException, AdminException {
        inTransaction(() -> {
            if (!exists(username)) {
                throw new AdminException(Kind.NOT_FOUND, null, "no user '" + username + "'");
            }
            requireRoles(roles);
            try (PreparedStatement st = connection.prepareStatement("UPDATE users SET enabled = ? WHERE username = ?")) {
                st.setQueryTimeout(queryTimeout);
                st.setBoolean(1, enabled);
                st.setString(2, username);
                st.executeUpdate();
            }
            List<String> held = rolesOf(username);
            for (String role : held) {
                if (!roles.contains(role)) {
                    update("DELETE FROM user_roles WHERE username = ? AND role_name = ?", username, role);
                }
            }
            grantLocked(username, roles);
            replacePermissions(PermissionRow.Owner.user(username), rules);
            replaceAdminPermissions(PermissionRow.Owner.user(username), grants);
        });
    }

    /** Adds a role with its rules and admin permissions, in one transaction. */
    public void createRole(String role, List<Permission> rules, List<AdminGrantSpec> grants)
            throws SQLException, AdminException {
        inTransaction(() -> {
            if (rowExists("SELECT 1 FROM roles WHERE name = ?", role)) {
                throw new AdminException(Kind.EXISTS, "name", "role '" + role + "' exists already");
            }
            update("INSERT INTO roles (name) VALUES (?)", role);
            replacePermissions(PermissionRow.Owner.role(role), rules);
            replaceAdminPermissions(PermissionRow.Owner.role(role), grants);
        });
    }

    /** Replaces a role's rules and admin permissions. */
    public void updateRole(String role, List<Permission> rules, List<AdminGrantSpec> grants)
            throws SQLException, AdminException {
        inTransaction(() -> {
            if (!rowExists("SELECT 1 FROM roles WHERE name = ?", role)) {
                throw new AdminException(Kind.NOT_FOUND, null, "no role '" + role + "'");
            }
            replacePermissions(PermissionRow.Owner.role(role), rules);
            replaceAdminPermissions(PermissionRow.Owner.role(role), grants);
        });
    }

    /** Deletes a role, its rules and admin permissions; users holding it lose it. */
    public void deleteRole(String role) throws SQLException, AdminException {
        inTransaction(() -> {
            replacePermissions(PermissionRow.Owner.role(role), List.of());
            if (update("DELETE FROM roles WHERE name = ?", role) == 0) {
                throw new AdminException(Kind.NOT_FOUND, null, "no role '" + role + "'");
            }
        });
    }

    /**
     * Makes {@code wanted} the owner's rules: rows that stay (same rule) keep their id, the others are unlinked (and
     * deleted when no other owner holds them), new rules are added after the kept ones.
     */
    private void replacePermissions(PermissionRow.Owner owner, List<Permission> wanted)
            throws SQLException, AdminException {
        List<Permission> remaining = new ArrayList<>(wanted);
        for (PermissionRow row : rows(owner)) {
            if (row.permission() != null && remaining.remove(row.permission())) {
                continue;
            }
            try (PreparedStatement st = connection.prepareStatement(owner.role()
                    ? "DELETE FROM role_permissions WHERE role_name = ? AND permission_id = ?"
                    : "DELETE FROM user_permissions WHERE username = ? AND permission_id = ?")) {
                st.setQueryTimeout(queryTimeout);
                st.setString(1, owner.name());
                st.setLong(2, row.id());
                st.executeUpdate();
            }
            try (PreparedStatement st = connection.prepareStatement("DELETE FROM permissions WHERE id = ?"
                    + " AND NOT EXISTS (SELECT 1 FROM role_permissions WHERE permission_id = ?)"
                    + " AND NOT EXISTS (SELECT 1 FROM user_permissions WHERE permission_id = ?)")) {
                st.setQueryTimeout(queryTimeout);
                st.setLong(1, row.id());
                st.setLong(2, row.id());
                st.setLong(3, row.id());
                st.executeUpdate();
            }
        }
        for (Permission rule : remaining) {
            if (rule.isClientIdRule() && ClientIdPattern.problem(rule.topicFilter()) != null) {
                throw new AdminException(Kind.INVALID, null, "not added: "
                        + ClientIdPattern.problem(rule.topicFilter()));
            }
            permitLocked(owner, rule, null);
        }
    }

    private void replaceAdminPermissions(PermissionRow.Owner owner, List<AdminGrantSpec> grants) throws SQLException {
        update("DELETE FROM admin_permissions WHERE " + (owner.role() ? "role_name" : "username") + " = ?",
                owner.name());
        int ordering = 0;
        for (AdminGrantSpec g : grants) {
            try (PreparedStatement st = connection.prepareStatement("INSERT INTO admin_permissions (username,"
                    + " role_name, template, permissions, clients, topics, ordering) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                st.setQueryTimeout(queryTimeout);
                st.setString(1, owner.role() ? null : owner.name());
                st.setString(2, owner.role() ? owner.name() : null);
                st.setString(3, g.template());
                st.setString(4, g.permissions().isEmpty() ? null : String.join(",", g.permissions()));
                st.setString(5, g.clients());
                st.setString(6, g.topics());
                st.setInt(7, ordering++);
                st.executeUpdate();
            }
        }
    }

    private void requireRoles(List<String> roles) throws SQLException, AdminException {
        for (int i = 0; i < roles.size(); i++) {
            if (!rowExists("SELECT 1 FROM roles WHERE name = ?", roles.get(i))) {
                throw new AdminException(Kind.INVALID, "roles[" + i + "]", "no role '" + roles.get(i)
                        + "' (create it first)");
            }
        }
    }

    private List<String> rolesOf(String username) throws SQLException {
        List<String> roles = new ArrayList<>();
        try (PreparedStatement st = connection.prepareStatement(
                "SELECT role_name FROM user_roles WHERE username = ? ORDER BY role_name")) {
            st.setQueryTimeout(queryTimeout);
            st.setString(1, username);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    roles.add(rs.getString(1));
                }
            }
        }
        return roles;
    }

    private void grantLocked(String username, Collection<String> roles) throws SQLException {
        for (String role : roles) {
            if (!rowExists("SELECT 1 FROM roles WHERE name = ?", role)) {
                update("INSERT INTO roles (name) VALUES (?)", role);
            }
            if (!rowExists("SELECT 1 FROM user_roles WHERE username = ? AND role_name = ?", username, role)) {
                update("INSERT INTO user_roles (username, role_name) VALUES (?, ?)", username, role);
            }
        }
    }

    private boolean exists(String username) throws SQLException {
        return rowExists("SELECT 1 FROM users WHERE username = ?", username);
    }

    private boolean rowExists(String sql, String... args) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            st.setQueryTimeout(queryTimeout);
            for (int i = 0; i < args.length; i++) {
                st.setString(i + 1, args[i]);
            }
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    private int update(String sql, String... args) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            st.setQueryTimeout(queryTimeout);
            for (int i = 0; i < args.length; i++) {
                st.setString(i + 1, args[i]);
            }
            return st.executeUpdate();
        }
    }

    private interface Work {
        void run() throws SQLException, AdminException;
    }

    private void inTransaction(Work work) throws SQLException, AdminException {
        try {
            work.run();
            connection.commit();
        } catch (SQLException | AdminException | RuntimeException e) {
            connection.rollback();
            throw e;
        }
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
