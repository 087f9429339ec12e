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
 * The realm's versioned DDL ({@code config/sql/<dialect>/V<n>__*.sql}, also on the class path) and the check
 * that a database carries it.
 */
public final class SqlSchema {

    /** The schema version this build reads and writes. */
    public static final int VERSION = 1;

    private SqlSchema() {
    }

    /** The DDL of {@code dialect} ({@code h2} or {@code postgresql}) as one script. */
    public static String script(String dialect) {
        String resource = dialect + "/V1__rampart_schema.sql";
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

    /** Runs the DDL of {@code dialect} in one transaction. */
    public static void apply(Connection c, String dialect) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            for (String sql : statements(script(dialect))) {
                st.execute(sql);
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
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
