package io.rampart.server.it.support;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;

import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * The shipped example directory ({@code config/ldap/example.ldif}) in an UnboundID in-memory LDAP server on a fixed
 * free loopback port, so {@link #stop()} and {@link #start()} simulate an outage and a recovery. Adds the
 * {@code memberOf} values that Active Directory or OpenLDAP's memberof overlay maintain. Schema checking is off;
 * {@link Slapd} runs the real schema.
 */
public final class LdapMemoryDirectory implements AutoCloseable {

    public static final String BASE = "dc=example,dc=org";

    private final InMemoryDirectoryServer server;
    private final int port;

    public LdapMemoryDirectory() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE);
        config.setSchema(null);
        config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(),
                port, null));
        server = new InMemoryDirectoryServer(config);
        server.importFromLDIF(true, Slapd.projectRoot().resolve("config/ldap/example.ldif").toFile());
        memberOf("uid=sensor-1,ou=devices", "cn=sensors,ou=groups");
        memberOf("uid=sensor-2,ou=devices", "cn=sensors,ou=groups");
        memberOf("uid=alice,ou=people", "cn=operators,ou=groups");
        memberOf("uid=bob,ou=people", "cn=staff,ou=groups");
        memberOf("cn=operators,ou=groups", "cn=staff,ou=groups");
        server.startListening();
    }

    private void memberOf(String entry, String group) throws Exception {
        server.modify(entry + "," + BASE, new Modification(ModificationType.ADD, "memberOf", group + "," + BASE));
    }

    public InMemoryDirectoryServer server() {
        return server;
    }

    public String url() {
        return "ldap://127.0.0.1:" + port;
    }

    public void stop() {
        server.shutDown(true);
    }

    public void start() throws Exception {
        server.startListening();
    }

    @Override
    public void close() {
        server.shutDown(true);
    }
}
