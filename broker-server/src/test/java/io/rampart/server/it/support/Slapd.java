package io.rampart.server.it.support;

import org.awaitility.Awaitility;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenLDAP {@code slapd} (the Debian package) for the end-to-end tests, run as the current user from a
 * temporary directory: a cn=config built with {@code slapadd} from the system schemas plus the shipped
 * {@code config/ldap/rampart.ldif}, an MDB database loaded from the shipped {@code config/ldap/example.ldif}, and
 * listeners {@code ldap://} (StartTLS offered) and {@code ldaps://} on free loopback ports with a certificate of a
 * {@link LdapTestCa}. No systemd, no system configuration touched. A test that needs entries of its own passes them
 * as extra LDIF, loaded after the example. {@link #stop()} and {@link #start()} simulate an outage; {@link #close()}
 * ends the process.
 */
public final class Slapd implements AutoCloseable {

    public static final String SLAPD = "/usr/sbin/slapd";
    public static final String SLAPADD = "/usr/sbin/slapadd";
    public static final String BASE = "dc=example,dc=org";

    private final Path dir;
    private final int ldapPort;
    private final int ldapsPort;
    private Process process;

    public Slapd(Path dir, LdapTestCa ca) throws Exception {
        this(dir, ca, "");
    }

    /** A directory holding the shipped example plus {@code extraLdif} (entries under {@link #BASE}). */
    public Slapd(Path dir, LdapTestCa ca, String extraLdif) throws Exception {
        this.dir = dir;
        Path root = projectRoot();
        Path conf = Files.createDirectories(dir.resolve("slapd.d"));
        Path db = Files.createDirectories(dir.resolve("db"));
        Path configLdif = Files.writeString(dir.resolve("config.ldif"), """
                dn: cn=config
                objectClass: olcGlobal
                cn: config
                olcPidFile: %s
                olcTLSCACertificateFile: %s
                olcTLSCertificateFile: %s
                olcTLSCertificateKeyFile: %s

                dn: cn=module{0},cn=config
                objectClass: olcModuleList
                cn: module{0}
                olcModulePath: /usr/lib/ldap
                olcModuleLoad: back_mdb

                dn: cn=schema,cn=config
                objectClass: olcSchemaConfig
                cn: schema

                include: file:///etc/ldap/schema/core.ldif
                include: file:///etc/ldap/schema/cosine.ldif
                include: file:///etc/ldap/schema/inetorgperson.ldif
                include: file://%s

                dn: olcDatabase={-1}frontend,cn=config
                objectClass: olcDatabaseConfig
                objectClass: olcFrontendConfig
                olcDatabase: {-1}frontend

                dn: olcDatabase={0}config,cn=config
                objectClass: olcDatabaseConfig
                olcDatabase: {0}config

                dn: olcDatabase={1}mdb,cn=config
                objectClass: olcDatabaseConfig
                objectClass: olcMdbConfig
                olcDatabase: {1}mdb
                olcSuffix: %s
                olcDbDirectory: %s
                olcRootDN: cn=admin,%s
                olcRootPW: admin-secret
                olcDbMaxSize: 16777216
                olcAccess: {0}to attrs=userPassword by anonymous auth by self read by * none
                olcAccess: {1}to * by users read by * none
                """.formatted(dir.resolve("slapd.pid"), ca.caPem, ca.serverCertPem, ca.serverKeyPem,
                root.resolve("config/ldap/rampart.ldif"), BASE, db, BASE), StandardCharsets.UTF_8);
        run(List.of(SLAPADD, "-n0", "-F", conf.toString(), "-l", configLdif.toString()));
        run(List.of(SLAPADD, "-F", conf.toString(), "-b", BASE, "-l",
                root.resolve("config/ldap/example.ldif").toString()));
        if (!extraLdif.isBlank()) {
            Path extra = Files.writeString(dir.resolve("extra.ldif"), extraLdif, StandardCharsets.UTF_8);
            run(List.of(SLAPADD, "-F", conf.toString(), "-b", BASE, "-l", extra.toString()));
        }
        ldapPort = freePort();
        ldapsPort = freePort();
        start();
    }

    /** Whether the Debian slapd is installed (the project's test command installs it). */
    public static boolean installed() {
        return Files.isExecutable(Path.of(SLAPD)) && Files.isExecutable(Path.of(SLAPADD));
    }

    public static Path projectRoot() {
        String root = System.getProperty("rampart.project.root");
        return root != null ? Path.of(root) : Path.of(System.getProperty("user.dir")).getParent();
    }

    public String ldapUrl() {
        return "ldap://127.0.0.1:" + ldapPort;
    }

    public String ldapsUrl() {
        return "ldaps://127.0.0.1:" + ldapsPort;
    }

    /** Starts slapd (again) and waits until both listeners accept connections. */
    public synchronized void start() throws IOException {
        if (process != null && process.isAlive()) {
            return;
        }
        process = new ProcessBuilder(SLAPD, "-F", dir.resolve("slapd.d").toString(), "-d", "0", "-h",
                ldapUrl() + "/ " + ldapsUrl() + "/")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("slapd.log").toFile()))
                .start();
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("slapd exited with " + process.exitValue() + ": "
                        + Files.readString(dir.resolve("slapd.log")));
            }
            return accepts(ldapPort) && accepts(ldapsPort);
        });
    }

    /** Ends slapd (an outage) and waits until the ports refuse connections. */
    public synchronized void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        process = null;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void run(List<String> command) throws IOException, InterruptedException {
        Path log = dir.resolve("slapadd.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed: " + Files.readString(log));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
