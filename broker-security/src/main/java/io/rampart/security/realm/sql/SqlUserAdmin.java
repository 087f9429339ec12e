package io.rampart.security.realm.sql;

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
import java.util.Map;
import java.util.Properties;

/**
 * Changes the users of a SQL realm (what {@code rampart users} does): one connection, one transaction per
 * change. For the embedded default it creates the database and schema when they do not exist yet. Changes
 * reach a running broker within its cache TTL.
 */
public final class SqlUserAdmin implements AutoCloseable {

    /** A change that cannot be made (unknown user, user exists); the message is for the operator. */
    public static final class AdminException extends Exception {
        private static final long serialVersionUID = 1L;

        public AdminException(String message) {
            super(message);
        }
    }

    private final Connection connection;
    private final int queryTimeout;

    private SqlUserAdmin(Connection connection, int queryTimeout) {
        this.connection = connection;
        this.queryTimeout = queryTimeout;
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
                throw new AdminException("no user '" + username + "'");
            }
        });
    }

    public void setPassword(String username, String passwordHash) throws SQLException, AdminException {
        inTransaction(() -> {
            if (update("UPDATE users SET password_hash = ? WHERE username = ?", passwordHash, username) == 0) {
                throw new AdminException("no user '" + username + "'");
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
