package io.rampart.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.rampart.server.it.support.Acks;
import io.rampart.server.it.support.AdminClient;
import io.rampart.server.it.support.AdminSetup;
import io.rampart.server.it.support.AuditLogFile;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.JwtTokens;
import io.rampart.server.it.support.LdapMemoryDirectory;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.SecSetup;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static io.rampart.server.it.support.Connects.connect5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Realm administration through the admin API with real clients: a user added to a file realm or to a SQL realm
 * connects at once; a role taken away from a live session's user (or deleted) turns its next PUBLISH into PUBACK
 * 0x87; passwords are set and reset (the old one stops at once); validation errors name the field; the users file
 * keeps its comments; LDAP and JWT realms refuse changes; admin permissions stored with realm roles and users
 * (file and SQL) govern the admin API together with {@code admin.roles}; the audit log records each change as
 * before and after, never a hash.
 */
class AdminRealmsIT {

    private static final String PW = "device-pass-123";
    private static final String DEVICES = """
            # Devices managed through the admin API; this comment must survive.
            users:
              - username: device-1
                password: "%s"
                roles: [all]   # everything
            roles:
              - name: all
                permissions: [{topic: "#"}]

              # A role for the API's users.
              - name: limited
                permissions:
                  - {topic: "limited/#"}
            """;

    @TempDir
    static Path dir;

    private static LdapMemoryDirectory ldap;
    private static TestBroker broker;
    private static Clients clients;
    private static AdminClient root;

    @BeforeAll
    static void start() throws Exception {
        ldap = new LdapMemoryDirectory();
        Files.writeString(dir.resolve("devices.yaml"), DEVICES.formatted(SecSetup.hash(PW)));
        Files.writeString(dir.resolve("admins.yaml"), """
                users:
                  - {username: root, password: "%1$s", roles: [admins]}
                  - {username: sam, password: "%1$s", roles: [security]}
                  - {username: rv, password: "%1$s", roles: [realm-viewers]}
                roles:
                  - {name: admins}
                  - {name: security}
                  - name: realm-viewers
                    admin-permissions: [viewer]
                """.formatted(SecSetup.hash(AdminSetup.PASSWORD)));
        broker = AdminSetup.in(dir)
                .listeners("""
                        - {type: tcp, name: sqltcp, bind: 127.0.0.1, port: 0}
                        - {type: admin, name: admin2, bind: 127.0.0.1, port: 0}
                        """)
                .adminRealms("""
                        - {name: db, type: sql}
                        - name: dir
                          type: ldap
                          servers: ["%s"]
                          allow-plaintext: true
                          user: {dn-template: "uid=${mqtt-username},ou=devices,dc=example,dc=org", object-class: account}
                        - {name: idp, type: jwt, secrets: ["%s"]}
                        """.formatted(ldap.url(), JwtTokens.SECRET), "")
                .pipelines("""
                        - name: sqlp
                          listeners: [sqltcp]
                          authentication: [{type: password, realm: db}]
                          authorization: [{type: realm, realm: db}]
                        - name: sql-admins
                          listeners: [admin2]
                          authentication: [{type: password, realm: db}]
                        """)
                .start();
        clients = new Clients(broker);
        root = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER)).as("root");
    }

    @AfterAll
    static void stop() {
        if (clients != null) {
            clients.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (ldap != null) {
            ldap.close();
        }
    }

    private static Mqtt5AsyncClient connected(String listener, String user, String password) {
        Mqtt5AsyncClient c = clients.hive5On(listener, user + "-client");
        assertThat(connect5(c, user, password)).as("%s connects", user).isZero();
        return c;
    }

    private static void eventually(java.util.concurrent.Callable<Boolean> condition) {
        await().atMost(Duration.ofSeconds(30)).until(condition);
    }

    @Test
    void fileRealm_userAddedThroughTheApi_connectsAtOnce_andTheFileKeepsItsComments() throws Exception {
        AdminClient.Answer created = root.post("/api/v1/realms/devices/users", """
                {"username": "api-dev", "password": "api-device-pass", "roles": ["limited"],
                 "permissions": [{"topic": "api/${mqtt-username}/#", "activity": "publish", "qos": [0, 1]}]}""");
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        assertThat(created.header("Location")).isEqualTo("/api/v1/realms/devices/users/api-dev");
        assertThat(created.json().path("hasPassword").asBoolean()).isTrue();
        assertThat(created.body()).doesNotContain("pbkdf2");
        assertThat(created.json().path("permissions").get(0).path("origin").path("line").asInt()).isPositive();

        Mqtt5AsyncClient device = connected("tcp", "api-dev", "api-device-pass");
        assertThat(Acks.pubAck(device, "limited/x", 1, false)).isLessThan(0x80);
        assertThat(Acks.pubAck(device, "api/api-dev/t", 1, false)).isLessThan(0x80);
        assertThat(Acks.pubAck(device, "other/x", 1, false)).isEqualTo(0x87);

        String file = Files.readString(dir.resolve("devices.yaml"));
        assertThat(file).startsWith("# Devices managed through the admin API; this comment must survive.\n")
                .contains("    roles: [all]   # everything\n").contains("  # A role for the API's users.\n")
                .contains("- username: api-dev");
        assertThat(root.get("/api/v1/realms/devices/users?limit=1").json().path("items").get(0).path("username")
                .asText()).isEqualTo("api-dev");

        String audit = AuditLogFile.line(created.header("X-Request-Id"));
        assertThat(audit).contains("action=realms.users.create").contains("target=\"realm:devices/user:api-dev\"")
                .contains("before=null").contains("after=\"{").contains("api-dev").doesNotContain("pbkdf2");
    }

    @Test
    void roleTakenAwayThroughTheApi_deniesTheLiveSessionsNextPublish() {
        assertThat(root.post("/api/v1/realms/devices/users",
                "{\"username\": \"live-1\", \"password\": \"" + PW + "\", \"roles\": [\"limited\"]}").status())
                .isEqualTo(201);
        Mqtt5AsyncClient device = connected("tcp", "live-1", PW);
        assertThat(Acks.pubAck(device, "limited/a", 1, false)).isLessThan(0x80);

        AdminClient.Answer changed = root.put("/api/v1/realms/devices/users/live-1", "{\"roles\": []}");
        assertThat(changed.status()).as("%s", changed).isEqualTo(200);
        eventually(() -> Acks.pubAck(device, "limited/b", 1, false) == 0x87);
        assertThat(device.getState().isConnected()).isTrue();
        String audit = AuditLogFile.line(changed.header("X-Request-Id"));
        assertThat(audit).contains("action=realms.users.update").contains("\\\"roles\\\":[\\\"limited\\\"]")
                .contains("\\\"roles\\\":[]");
    }

    @Test
    void sqlRealm_userAddedThroughTheApi_connectsAtOnce_andADeletedRoleStopsItsLiveSession() {
        assertThat(root.post("/api/v1/realms/db/roles", """
                {"name": "sql-limited", "permissions": [{"topic": "limited/#"}]}""").status()).isEqualTo(201);
        AdminClient.Answer created = root.post("/api/v1/realms/db/users",
                "{\"username\": \"sql-dev\", \"password\": \"" + PW + "\", \"roles\": [\"sql-limited\"]}");
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        Mqtt5AsyncClient device = connected("sqltcp", "sql-dev", PW);
        assertThat(Acks.pubAck(device, "limited/a", 1, false)).isLessThan(0x80);
        JsonNode role = root.get("/api/v1/realms/db/roles/sql-limited").json();
        assertThat(role.path("permissions").get(0).path("origin").path("rowId").asLong()).isPositive();

        assertThat(root.delete("/api/v1/realms/db/roles/sql-limited").status()).isEqualTo(204);
        eventually(() -> Acks.pubAck(device, "limited/b", 1, false) == 0x87);
        assertThat(root.get("/api/v1/realms/db/users/sql-dev").json().path("roles")).isEmpty();
    }

    @Test
    void passwords_areSetAndReset_theOldOneStopsAtOnce_andNeverShown() {
        assertThat(root.post("/api/v1/realms/devices/users", "{\"username\": \"pw-user\", \"roles\": [\"all\"]}")
                .status()).isEqualTo(201);
        assertThat(connect5(clients.hive5On("tcp", "pw-1"), "pw-user", "anything-at-all")).as("no password yet")
                .isEqualTo(0x86);
        AdminClient.Answer tooShort = root.put("/api/v1/realms/devices/users/pw-user/password", "{\"password\": \"short\"}");
        assertThat(tooShort.status()).isEqualTo(400);
        assertThat(tooShort.json().path("fields")).extracting(JsonNode::asText).containsExactly("password");

        AdminClient.Answer set = root.put("/api/v1/realms/devices/users/pw-user/password",
                "{\"password\": \"first-password-1\"}");
        assertThat(set.status()).isEqualTo(204);
        assertThat(connect5(clients.hive5On("tcp", "pw-2"), "pw-user", "first-password-1")).isZero();
        assertThat(root.put("/api/v1/realms/devices/users/pw-user/password", "{\"password\": \"second-password-2\"}")
                .status()).isEqualTo(204);
        assertThat(connect5(clients.hive5On("tcp", "pw-3"), "pw-user", "first-password-1")).isEqualTo(0x86);
        assertThat(connect5(clients.hive5On("tcp", "pw-4"), "pw-user", "second-password-2")).isZero();
        assertThat(AuditLogFile.line(set.header("X-Request-Id"))).contains("action=realms.users.password")
                .contains("detail=\"password set\"").doesNotContain("first-password").doesNotContain("pbkdf2");

        assertThat(root.put("/api/v1/realms/db/users/nobody/password", "{\"password\": \"a-good-password\"}").status())
                .isEqualTo(404);
    }

    @Test
    void invalidChanges_nameTheField_andChangeNothing() throws Exception {
        String before = Files.readString(dir.resolve("devices.yaml"));
        AdminClient.Answer topic = root.post("/api/v1/realms/devices/users", """
                {"username": "bad", "permissions": [{"topic": "ok/#"}, {"topic": "a/#/b"}]}""");
        assertThat(topic.status()).isEqualTo(400);
        assertThat(topic.json().path("fields")).extracting(JsonNode::asText).containsExactly("permissions[1].topic");
        AdminClient.Answer role = root.post("/api/v1/realms/devices/users",
                "{\"username\": \"bad\", \"roles\": [\"all\", \"nope\"]}");
        assertThat(role.status()).isEqualTo(400);
        assertThat(role.json().path("fields")).extracting(JsonNode::asText).containsExactly("roles[1]");
        AdminClient.Answer admin = root.post("/api/v1/realms/devices/roles",
                "{\"name\": \"bad\", \"adminPermissions\": [{\"permissions\": [\"clients:fly\"]}]}");
        assertThat(admin.status()).isEqualTo(400);
        assertThat(admin.json().path("fields")).extracting(JsonNode::asText)
                .containsExactly("adminPermissions[0].permissions");
        AdminClient.Answer unknown = root.post("/api/v1/realms/devices/users", "{\"username\": \"bad\", \"pasword\": \"x\"}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().path("fields")).extracting(JsonNode::asText).containsExactly("pasword");
        assertThat(root.post("/api/v1/realms/devices/users", "{\"username\": \"device-1\"}").status()).isEqualTo(409);
        assertThat(root.put("/api/v1/realms/devices/users/device-1", "{\"enabled\": false}").json().path("fields"))
                .extracting(JsonNode::asText).containsExactly("enabled");
        assertThat(Files.readString(dir.resolve("devices.yaml"))).isEqualTo(before);
    }

    @Test
    void ldapAndJwtRealms_areReadOnly_withAClearProblem() {
        JsonNode realms = root.get("/api/v1/realms").json().path("items");
        assertThat(realms).extracting(r -> r.path("name").asText() + ":" + r.path("editable").asBoolean())
                .contains("devices:true", "db:true", "dir:false", "idp:false");
        AdminClient.Answer ldapWrite = root.post("/api/v1/realms/dir/users", "{\"username\": \"x\"}");
        assertThat(ldapWrite.status()).isEqualTo(409);
        assertThat(ldapWrite.header("Content-Type")).startsWith("application/problem+json");
        assertThat(ldapWrite.detail()).startsWith("realm 'dir' is an ldap realm: its users and groups live in the"
                + " directory and are read-only here");
        AdminClient.Answer jwtWrite = root.put("/api/v1/realms/idp/roles/r", "{\"permissions\": []}");
        assertThat(jwtWrite.status()).isEqualTo(409);
        assertThat(jwtWrite.detail()).startsWith("realm 'idp' is a jwt realm");
        assertThat(root.delete("/api/v1/realms/dir/users/sensor-1").status()).isEqualTo(409);
        assertThat(root.get("/api/v1/realms/nowhere/users").status()).isEqualTo(404);
        assertThat(root.as("rv", AdminSetup.PASSWORD).get("/api/v1/realms").detail())
                .isEqualTo("missing permission users:read");
    }

    @Test
    void adminPermissionsOfRealmRolesAndUsers_governTheAdminApi() {
        clients.connectedHive5(RawTransport.TCP, "victim-of-rv");
        AdminClient rv = root.as("rv", AdminSetup.PASSWORD);
        assertThat(rv.get("/api/v1/clients").status()).as("a file-realm role with admin-permissions: [viewer]")
                .isEqualTo(200);
        AdminClient.Answer refused = rv.delete("/api/v1/clients/victim-of-rv/connection");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.detail()).isEqualTo("missing permission clients:disconnect");

        assertThat(root.put("/api/v1/realms/admins/roles/realm-viewers", "{\"adminPermissions\": [\"operator\"]}")
                .status()).isEqualTo(200);
        assertThat(rv.delete("/api/v1/clients/victim-of-rv/connection").status()).as("the role's new grant counts at"
                + " the next request").isEqualTo(204);

        AdminClient.Answer sqlAdmin = root.post("/api/v1/realms/db/users", """
                {"username": "db-operator", "password": "db-operator-pass", "adminPermissions": [
                  {"template": "operator", "clients": "site-a/*"}]}""");
        assertThat(sqlAdmin.status()).as("%s", sqlAdmin).isEqualTo(201);
        clients.connectedHive5(RawTransport.TCP, "site-a/pump");
        clients.connectedHive5(RawTransport.TCP, "site-b/pump");
        AdminClient viaSql = AdminClient.http(broker.port("admin2")).as("db-operator", "db-operator-pass");
        assertThat(viaSql.delete("/api/v1/clients/site-b%2Fpump/connection").status()).as("outside its scope")
                .isEqualTo(404);
        assertThat(viaSql.delete("/api/v1/clients/site-a%2Fpump/connection").status()).isEqualTo(204);
        assertThat(viaSql.get("/api/v1/whoami").json().path("grants").get(0).path("origin").asText())
                .startsWith("realm 'db', user 'db-operator', admin_permissions row ");
    }
}
