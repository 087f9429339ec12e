package io.rampart.security.realm.sql;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The realm's versioned DDL ({@code config/sql/<dialect>/V<n>__*.sql}, also on the class path), the check that a
 * database carries it, and the upgrade of an older one.
 */
public final class SqlSchema {

    /** The schema version this build reads and writes. */
    public static final int VERSION = 5;

    /** The script of each version, version 1 first. */
    private static final List<String> SCRIPTS = List.of("V1__rampart_schema.sql", "V2__client_id_rules.sql",
            "V3__limits.sql", "V4__admin_permissions.sql", "V5__queue_limits.sql");

    private SqlSchema() {
    }

    /** Where the script that brings {@code dialect} to {@code version} is shipped, e.g. {@code config/sql/h2/V1__...}. */
    public static String scriptPath(String dialect, int version) {
        return "config/sql/" + dialect + "/" + SCRIPTS.get(version - 1);
    }

    /** The DDL that brings {@code dialect} ({@code h2} or {@code postgresql}) from {@code version - 1} to {@code version}. */
    public static String script(String dialect, int version) {
        String resource = dialect + "/" + SCRIPTS.get(version - 1);
        try (InputStream in = SqlSchema.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema resource missing from the build: " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The statements of a script: {@code --} comments removed, split at {@code ;}. */
    static List<String> statements(String script) {
        StringBuilder text = new StringBuilder();
        for (String line : script.split("\n")) {
            int comment = line.indexOf("--");
            text.append(comment >= 0 ? line.substring(0, comment) : line).append('\n');
        }
        List<String> out = new ArrayList<>();
        for (String s : text.toString().split(";")) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        return out;
    }

    /**
     * Brings the schema to {@link #VERSION} in one transaction: creates it in an empty database, otherwise applies
     * the scripts of the versions it lacks.
     *
     * @return the version the database had before (0 when it had no schema)
     */
    public static int apply(Connection c, String dialect) throws SQLException {
        int installed = present(c) ? installedVersion(c) : 0;
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            for (int version = installed + 1; version <= VERSION; version++) {
                for (String sql : statements(script(dialect, version))) {
                    st.execute(sql);
                }
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
        return installed;
    }

    /** Whether the schema_version table exists (any case, as the database folds names). */
    public static boolean present(Connection c) throws SQLException {
        DatabaseMetaData meta = c.getMetaData();
        for (String name : List.of("schema_version", "SCHEMA_VERSION")) {
            try (ResultSet rs = meta.getTables(null, null, name, new String[]{"TABLE"})) {
                if (rs.next()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The highest installed version, or 0 when there is none. */
    public static int installedVersion(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT MAX(version) FROM schema_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    /** {@code h2} or {@code postgresql} for a JDBC URL (other databases use the PostgreSQL dialect's DDL as a model). */
    public static String dialectOf(String jdbcUrl) {
        return jdbcUrl.toLowerCase(Locale.ROOT).startsWith("jdbc:h2:") ? "h2" : "postgresql";
    }
}
