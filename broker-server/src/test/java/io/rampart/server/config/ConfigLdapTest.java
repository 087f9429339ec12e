package io.rampart.server.config;

import io.rampart.security.realm.ldap.LdapRealmSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code type: ldap} realm section: the shipped example, defaults, and errors that name the key. */
class ConfigLdapTest {

    private static final Map<String, String> ENV = Map.of("LDAP_BIND_PASSWORD", "from-env");

    private static BrokerConfig parse(String realm) throws ConfigException {
        return ConfigLoader.parse("""
                listeners:
                  - {type: tcp, name: tcp, bind: 127.0.0.1, port: 0}
                security:
                  realms:
                """ + realm.stripTrailing().indent(4), "ldap.yaml", ENV::get);
    }

    private static LdapRealmSettings settings(String realm) throws ConfigException {
        return (LdapRealmSettings) parse(realm).security().realms().get(0).settings();
    }

    @Test
    void example_parses_withEnvironmentPassword() throws Exception {
        String yaml = Files.readString(Path.of("..", "config", "examples", "ldap.yaml"));
        BrokerConfig config = ConfigLoader.parse(yaml, "ldap.yaml", ENV::get);
        LdapRealmSettings directory = (LdapRealmSettings) config.security().realms().get(0).settings();
        assertThat(directory.servers()).hasSize(2);
        assertThat(directory.ldaps()).isTrue();
        assertThat(directory.bindPassword()).isEqualTo("from-env");
        assertThat(directory.groups().nested()).isTrue();
        assertThat(directory.permissions().fromLdap()).isTrue();
        assertThat(directory.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(directory.staleTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(directory.recheckInterval()).isEqualTo(Duration.ofSeconds(60));
        LdapRealmSettings corporate = (LdapRealmSettings) config.security().realms().get(1).settings();
        assertThat(corporate.startTls()).isTrue();
        assertThat(corporate.trust().type()).isEqualTo("pkcs12");
        assertThat(corporate.user().filter()).contains("sAMAccountName=${mqtt-username}");
    }

    @Test
    void minimal_getsTheDocumentedDefaults() throws Exception {
        LdapRealmSettings s = settings("""
                - name: d
                  type: ldap
                  servers: ["ldaps://ldap.example.org"]
                  user: {dn-template: "uid=${mqtt-username},ou=devices,dc=example,dc=org"}
                """);
        assertThat(s.trust()).isNull();
        assertThat(s.groups()).isNull();
        assertThat(s.permissions().fromLdap()).isFalse();
        assertThat(s.poolSize()).isEqualTo(8);
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.responseTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.cacheSize()).isEqualTo(10_000);
        assertThat(s.cacheTtl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.credentialTtl()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.staleTtl()).isZero();
        assertThat(s.recheckInterval()).as("no service account: no re-check").isZero();
    }

    @Test
    void recheckInterval_defaultsToTheCacheTtlWithAServiceAccount_andCanBeSet() throws Exception {
        String realm = """
                - name: d
                  type: ldap
                  servers: ["ldaps://ldap.example.org"]
                  bind-dn: "cn=rampart,dc=example,dc=org"
                  bind-password: "${ENV:LDAP_BIND_PASSWORD}"
                  user: {dn-template: "uid=${mqtt-username},ou=devices,dc=example,dc=org"}
                  cache: {ttl: 30}
                """;
        assertThat(settings(realm).recheckInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings(realm + "  recheck-interval: 500ms\n").recheckInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(settings(realm + "  recheck-interval: 0\n").recheckInterval()).isZero();
    }

    @Test
    void missingTrustFile_refusesToStart_namingTheFile() throws Exception {
        BrokerConfig config = parse("""
                - name: d
                  type: ldap
                  servers: ["ldaps://127.0.0.1:1"]
                  trust: {pem: /nonexistent/ldap-ca.pem}
                  user: {dn-template: "uid=${mqtt-username},dc=x"}
                """);
        assertThatThrownBy(() -> io.rampart.server.RampartBroker.start(config))
                .hasStackTraceContaining("/nonexistent/ldap-ca.pem");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "servers: [\"ldap://h\"]|security.realms[0].servers|start-tls",
            "servers: [\"http://h\"]|security.realms[0].servers[0]|ldap://",
            "servers: [\"ldaps://h\"], start-tls: true|security.realms[0].start-tls|already encrypted",
            "servers: [\"ldaps://h\"], bind-dn: \"cn=x\"|security.realms[0].bind-password|go together",
            "servers: [\"ldaps://h\"], pool-size: 0|security.realms[0].pool-size|between 1 and 256",
            "servers: [\"ldaps://h\"], connect-timeout: soon|security.realms[0].connect-timeout|milliseconds",
            "servers: [\"ldaps://h\"], trust: {pem: a, pkcs12: b}|security.realms[0].trust|exactly one",
            "servers: [\"ldaps://h\"], colour: red|security.realms[0].colour|unknown key",
            "servers: [\"ldaps://h\"], cache: {credential-ttl: 120}|security.realms[0].cache.credential-ttl|not be longer",
            "servers: [\"ldaps://h\"], cache: {size: 0, stale-ttl: 60}|security.realms[0].cache.stale-ttl|needs the cache",
            "servers: [\"ldaps://h\"], recheck-interval: 30s|security.realms[0].recheck-interval|needs bind-dn",
            "servers: [\"ldaps://h\"], recheck-interval: soon|security.realms[0].recheck-interval|must be a duration",
    })
    void invalid_isRefusedWithTheKey(String keys, String path, String reason) {
        String realm = "- {name: d, type: ldap, " + keys + ", user: {dn-template: \"uid=${mqtt-username},dc=x\"}}";
        assertThatThrownBy(() -> parse(realm)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(path).hasMessageContaining(reason);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{dn-template: \"uid=x,dc=example\"}|user.dn-template|placeholder",
            "{dn-template: \"uid=${mqtt-username},,dc=x\"}|user.dn-template|not a valid DN",
            "{base-dn: \"dc=x\"}|user.filter|required",
            "{base-dn: \"dc=x\", filter: \"(uid=${mqtt-username}\"}|user.filter|not a valid LDAP filter",
            "{dn-template: \"uid=${mqtt-username},dc=x\", base-dn: \"dc=x\"}|user|either",
            "{base-dn: \"dc=x\", filter: \"(uid=${mqtt-username})\", scope: base}|user.scope|one, sub",
    })
    void invalidUser_isRefusedWithTheKey(String user, String path, String reason) {
        String realm = "- {name: d, type: ldap, servers: [\"ldaps://h\"], user: " + user + "}";
        assertThatThrownBy(() -> parse(realm)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(path).hasMessageContaining(reason);
    }

    @Test
    void permissionsFromLdapOff_authorizationManagerOnTheRealm_refusesToStart() throws Exception {
        BrokerConfig config = ConfigLoader.parse("""
                listeners:
                  - {type: tcp, name: tcp, bind: 127.0.0.1, port: 0}
                security:
                  realms:
                    - {name: d, type: ldap, servers: ["ldap://127.0.0.1:1"], allow-plaintext: true,
                       user: {dn-template: "uid=${mqtt-username},dc=x"}}
                  pipelines:
                    - name: p
                      listeners: [tcp]
                      authentication: [{type: password, realm: d}]
                      authorization: [{type: realm, realm: d}]
                """, "ldap.yaml", ENV::get);
        assertThatThrownBy(() -> io.rampart.server.RampartBroker.start(config))
                .hasMessageContaining("permissions.from-ldap: false");
    }
}
