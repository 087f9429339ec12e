package io.rampart.security.realm.ldap;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

/**
 * The shipped example directory ({@code config/ldap/example.ldif}) in an UnboundID in-memory server on a fixed
 * loopback port (so it can be stopped and started again), plus {@code memberOf} values as Active Directory or
 * OpenLDAP's memberof overlay would maintain them. Schema checking is off (the in-memory server does not know the
 * rampart schema); the real slapd tests check the schema.
 */
final class InMemoryDirectory implements AutoCloseable {

    static final String BASE = "dc=example,dc=org";

    final InMemoryDirectoryServer server;
    final int port;

    InMemoryDirectory() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE);
        config.setSchema(null);
        config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(),
                port, null));
        server = new InMemoryDirectoryServer(config);
        server.importFromLDIF(true, exampleLdif().toFile());
        memberOf("uid=sensor-1,ou=devices", "cn=sensors,ou=groups");
        memberOf("uid=sensor-2,ou=devices", "cn=sensors,ou=groups");
        memberOf("uid=alice,ou=people", "cn=operators,ou=groups");
        memberOf("uid=bob,ou=people", "cn=staff,ou=groups");
        memberOf("cn=operators,ou=groups", "cn=staff,ou=groups");
        server.startListening();
    }

    static Path exampleLdif() {
        Path root = Path.of(System.getProperty("rampart.project.root",
                Path.of(System.getProperty("user.dir")).getParent().toString()));
        return root.resolve("config/ldap/example.ldif");
    }

    private void memberOf(String entry, String group) throws Exception {
        server.modify(entry + "," + BASE, new Modification(ModificationType.ADD, "memberOf", group + "," + BASE));
    }

    String url() {
        return "ldap://127.0.0.1:" + port;
    }

    void stop() {
        server.shutDown(true);
    }

    void start() throws Exception {
        server.startListening();
    }

    @Override
    public void close() {
        server.shutDown(true);
    }
}
