package io.rampart.server.config;

import io.rampart.core.MqttLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigLoaderTest {

    private static final String SOURCE = "test.yaml";
    private static final String ONE_LISTENER = """
            listeners:
              - type: tcp
                name: t
                port: 1883
            """;

    static BrokerConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, SOURCE, Map.<String, String>of()::get);
    }

    static ConfigException failure(String yaml) {
        return catchConfig(() -> parse(yaml));
    }

    static ConfigException catchConfig(ThrowingCall call) {
        try {
            call.run();
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("expected a ConfigException");
    }

    interface ThrowingCall {
        void run() throws ConfigException;
    }

    @Test
    void parse_minimalListener_appliesDefaults() throws ConfigException {
        BrokerConfig config = parse(ONE_LISTENER);

        assertThat(config.source()).isEqualTo(SOURCE);
        assertThat(config.dataDir()).isEqualTo(Path.of("data").toAbsolutePath().normalize());
        assertThat(config.mqtt()).isEqualTo(MqttLimits.DEFAULTS);
        assertThat(config.listeners()).containsExactly(
                new ListenerConfig(ListenerType.TCP, "t", "127.0.0.1", 1883, null, false));
    }

    @Test
    void parse_emptyMqttSection_usesDefaults() throws ConfigException {
        assertThat(parse(ONE_LISTENER + "mqtt:\n").mqtt()).isEqualTo(MqttLimits.DEFAULTS);
        assertThat(parse(ONE_LISTENER + "mqtt: {}\n").mqtt()).isEqualTo(MqttLimits.DEFAULTS);
    }

    @Test
    void parse_dataDir_resolvesAgainstWorkingDirectory() throws ConfigException {
        BrokerConfig config = parse("data-dir: var/./rampart\n" + ONE_LISTENER);
        assertThat(config.dataDir()).isEqualTo(Path.of("var", "rampart").toAbsolutePath());
        assertThat(parse("data-dir: /srv/rampart\n" + ONE_LISTENER).dataDir()).isEqualTo(Path.of("/srv/rampart"));
    }

    @Test
    void parse_everyListenerField_isRead() throws ConfigException {
        BrokerConfig config = parse("""
                listeners:
                  - type: tcp
                    name: tcp-1
                    bind: 0.0.0.0
                    port: 0
                    allow-anonymous: true
                  - type: websocket
                    name: ws.1
                    bind: "::1"
                    port: 65535
                    path: /ws/mqtt
                    allow-anonymous: false
                  - type: websocket
                    name: ws_2
                    bind: broker.example.com
                    port: 8080
                  - type: tcp
                    name: tcp-0
                    port: 0
                """);

        assertThat(config.listeners()).containsExactly(
                new ListenerConfig(ListenerType.TCP, "tcp-1", "0.0.0.0", 0, null, true),
                new ListenerConfig(ListenerType.WEBSOCKET, "ws.1", "::1", 65535, "/ws/mqtt", false),
                new ListenerConfig(ListenerType.WEBSOCKET, "ws_2", "broker.example.com", 8080, "/mqtt", false),
                new ListenerConfig(ListenerType.TCP, "tcp-0", "127.0.0.1", 0, null, false));
    }

    @Test
    void parse_quotedNumbersAndBooleans_areAccepted() throws ConfigException {
        BrokerConfig config = parse("""
                listeners:
                  - type: tcp
                    name: t
                    port: "1883"
                    allow-anonymous: "true"
                """);
        assertThat(config.listeners().get(0).port()).isEqualTo(1883);
        assertThat(config.listeners().get(0).allowAnonymous()).isTrue();
    }

    @Test
    void parse_yaml11Booleans_areAccepted() throws ConfigException {
        BrokerConfig config = parse("listeners:\n  - {type: tcp, name: t, port: 1, allow-anonymous: yes}\n");
        assertThat(config.listeners().get(0).allowAnonymous()).isTrue();
    }

    @Test
    void parse_bracketedIpv6_isStripped() throws ConfigException {
        BrokerConfig config = parse("""
                listeners:
                  - {type: tcp, name: t, bind: "[::1]", port: 1883}
                """);
        assertThat(config.listeners().get(0).bind()).isEqualTo("::1");
    }

    // ---- errors: file level

    @Test
    void parse_emptyDocument_refuses() {
        assertThat(failure("").getMessage())
                .isEqualTo("test.yaml: is empty; it must at least define 'listeners' (see config/broker.yaml)");
        assertThat(failure("# only a comment\n").keyPath()).isEmpty();
        assertThat(failure("---\n").reason()).startsWith("is empty");
    }

    @Test
    void parse_documentNotAMapping_refuses() {
        assertThat(failure("- a\n- b\n").getMessage())
                .isEqualTo("test.yaml: must be a mapping of keys such as 'listeners' and 'mqtt' (was a list)");
        assertThat(failure("just text\n").getMessage())
                .isEqualTo("test.yaml: must be a mapping of keys such as 'listeners' and 'mqtt' (was a single value)");
    }

    @Test
    void parse_syntaxError_namesLineAndColumn() {
        ConfigException e = failure("""
                listeners:
                  - type: tcp
                    name: t
                   port: 1883
                """);
        assertThat(e.getMessage()).isEqualTo(
                "test.yaml: YAML syntax error at line 4, column 4: expected <block end>, but found '<block mapping start>'");
        assertThat(e.keyPath()).isEmpty();
    }

    @Test
    void parse_unclosedQuote_namesLineAndColumn() {
        assertThat(failure("data-dir: \"data\nlisteners: []\n").getMessage())
                .startsWith("test.yaml: YAML syntax error at line ")
                .doesNotContain("jackson", "Exception", "snakeyaml");
    }

    @Test
    void parse_duplicateKey_refusesWithPath() {
        ConfigException e = failure("""
                listeners:
                  - type: tcp
                    name: t
                    port: 1883
                    port: 1884
                """);
        assertThat(e.getMessage()).isEqualTo("test.yaml: listeners[0].port: duplicate key at line 5, column 5");
    }

    @Test
    void parse_twoDocuments_refuses() {
        assertThat(failure(ONE_LISTENER + "---\n" + ONE_LISTENER).getMessage())
                .isEqualTo("test.yaml: contains more than one YAML document ('---'); put everything in one");
    }

    @Test
    void parse_alias_refusesInsteadOfReadingTheAliasName() {
        assertThat(failure("""
                listeners:
                  - &l {type: tcp, name: t, port: 1883}
                  - *l
                """).getMessage())
                .isEqualTo("test.yaml: YAML aliases (*name) are not supported at line 3, column 5; write the value out");
    }

    @Test
    void parse_tabIndentation_refusesWithPosition() {
        assertThat(failure("listeners:\n\t- {type: tcp, name: t, port: 1}\n").getMessage())
                .startsWith("test.yaml: YAML syntax error at line 2, column 1: found character '\\t(TAB)'");
    }

    // ---- errors: keys and types

    @Test
    void parse_unknownTopLevelKey_listsAllowedKeys() {
        assertThat(failure(ONE_LISTENER + "telemetry: {}\n").getMessage())
                .isEqualTo("test.yaml: telemetry: unknown key (allowed: data-dir, listeners, mqtt, security, metrics,"
                        + " event-log, sys-topics, tracing, admin, memory, trace-recordings, insights, detections, cluster)");
    }

    @Test
    void parse_misspelledKey_suggestsTheClosest() {
        assertThat(failure("""
                listeners:
                  - type: tcp
                    name: t
                    prot: 1883
                """).getMessage()).isEqualTo("test.yaml: listeners[0].prot: unknown key (did you mean 'port'?)");
        assertThat(failure(ONE_LISTENER + "data_dir: x\n").getMessage())
                .isEqualTo("test.yaml: data_dir: unknown key (did you mean 'data-dir'?)");
    }

    @Test
    void parse_emptyKey_isShownQuoted() {
        assertThat(failure(ONE_LISTENER + "\"\": 1\n").getMessage())
                .isEqualTo("test.yaml: \"\": unknown key (allowed: data-dir, listeners, mqtt, security, metrics,"
                        + " event-log, sys-topics, tracing, admin, memory, trace-recordings, insights, detections, cluster)");
    }

    @Test
    void parse_unknownListenerKey_listsAllowedKeys() {
        assertThat(failure("""
                listeners:
                  - type: tcp
                    name: t
                    port: 1883
                    certificate: x.pem
                """).getMessage()).isEqualTo("test.yaml: listeners[0].certificate: unknown key"
                + " (allowed: type, name, bind, port, path, allow-anonymous, tls, max-connections, allow-plaintext,"
                + " connection-rate, connection-burst, per-address, limits, max-queued-messages, max-queued-bytes,"
                + " queue-overflow)");
    }

    @Test
    void parse_missingListeners_refuses() {
        assertThat(failure("data-dir: data\n").getMessage())
                .isEqualTo("test.yaml: listeners: is required: define at least one listener (see config/broker.yaml)");
        assertThat(failure("listeners:\n").getMessage())
                .isEqualTo("test.yaml: listeners: is required: define at least one listener (see config/broker.yaml)");
        assertThat(failure("listeners: []\n").getMessage())
                .isEqualTo("test.yaml: listeners: must contain at least one listener");
    }

    @Test
    void parse_listenersNotAList_refuses() {
        assertThat(failure("listeners:\n  type: tcp\n").getMessage())
                .isEqualTo("test.yaml: listeners: must be a list (was a mapping)");
        assertThat(failure("listeners:\n  - tcp\n").getMessage())
                .isEqualTo("test.yaml: listeners[0]: must be a mapping of keys (was \"tcp\")");
    }

    @Test
    void parse_missingRequiredListenerKeys_refuse() {
        assertThat(failure("listeners:\n  - {name: t, port: 1}\n").getMessage())
                .isEqualTo("test.yaml: listeners[0].type: is required");
        assertThat(failure("listeners:\n  - {type: tcp, port: 1}\n").getMessage())
                .isEqualTo("test.yaml: listeners[0].name: is required");
        assertThat(failure("listeners:\n  - {type: tcp, name: t}\n").getMessage())
                .isEqualTo("test.yaml: listeners[0].port: is required");
        assertThat(failure("listeners:\n  - {type: tcp, name: t, port: }\n").getMessage())
                .isEqualTo("test.yaml: listeners[0].port: has no value (expected an integer)");
    }

    @Test
    void parse_wrongTypes_refuse() {
        assertThat(failure("listeners:\n  - {type: tcp, name: t, port: abc}\n").getMessage())
                .isEqualTo("test.yaml: listeners[0].port: must be an integer (was \"abc\")");
        assertThat(failure("listeners:\n  - {type: tcp, name: t, port: 18.83}\n").getMessage())
                .isEqualTo("test.yaml: listeners[0].port: must be an integer (was 18.83)");
        assertThat(failure("listeners:\n  - {type: tcp, name: t, port: [1]}\n").getMessage())
                .isEqualTo("test.yaml: listeners[0].port: must be an integer (was a list)");
        assertThat(failure("listeners:\n  - {type: tcp, name: t, port: 1, allow-anonymous: maybe}\n").getMessage())
                .isEqualTo("test.yaml: listeners[0].allow-anonymous: must be true or false (was \"maybe\")");
        assertThat(failure("listeners:\n  - {type: tcp, name: true, port: 1}\n").getMessage())
                .isEqualTo("test.yaml: listeners[0].name: must be a string (was true; quote it if you meant text)");
        assertThat(failure("listeners:\n  - {type: tcp, name: no, port: 1}\n").getMessage())
                .isEqualTo("test.yaml: listeners[0].name: must be a string (was false; quote it if you meant text)");
        assertThat(failure("data-dir: {a: b}\n" + ONE_LISTENER).getMessage())
                .isEqualTo("test.yaml: data-dir: must be a string (was a mapping)");
        assertThat(failure("data-dir: ''\n" + ONE_LISTENER).getMessage())
                .isEqualTo("test.yaml: data-dir: must not be empty");
        assertThat(failure(ONE_LISTENER + "mqtt: [1]\n").getMessage())
                .isEqualTo("test.yaml: mqtt: must be a mapping of keys (was a list)");
    }

    @Test
    void parse_portTooLargeForAnInteger_refuses() {
        assertThat(failure("listeners:\n  - {type: tcp, name: t, port: 99999999999}\n").getMessage())
                .isEqualTo("test.yaml: listeners[0].port: is out of range (was 99999999999)");
        assertThat(failure("listeners:\n  - {type: tcp, name: t, port: 99999999999999999999999}\n").getMessage())
                .isEqualTo("test.yaml: listeners[0].port: is too large (was 99999999999999999999999)");
    }

    @Test
    void parse_unknownListenerType_listsAllowedTypes() {
        assertThat(failure("listeners:\n  - {type: ssl, name: t, port: 8883}\n").getMessage())
                .isEqualTo("test.yaml: listeners[0].type: must be one of tcp, websocket, tls, secure-websocket, admin (was \"ssl\")");
        assertThat(failure("listeners:\n  - {type: TCP, name: t, port: 8883}\n").getMessage())
                .isEqualTo("test.yaml: listeners[0].type: must be one of tcp, websocket, tls, secure-websocket, admin (was \"TCP\")");
    }

    // ---- errors: values

    @Test
    void parse_portOutOfRange_refuses() {
        ConfigException e = failure("""
                listeners:
                  - {type: tcp, name: a, port: 1883}
                  - {type: tcp, name: b, port: 70000}
                """);
        assertThat(e.getMessage()).isEqualTo("test.yaml: listeners[1].port: must be between 0 and 65535 (was 70000)");
        assertThat(e.source()).isEqualTo("test.yaml");
        assertThat(e.keyPath()).isEqualTo("listeners[1].port");
        assertThat(e.reason()).isEqualTo("must be between 0 and 65535 (was 70000)");
        assertThat(failure("listeners:\n  - {type: tcp, name: t, port: -1}\n").getMessage())
                .isEqualTo("test.yaml: listeners[0].port: must be between 0 and 65535 (was -1)");
    }

    @Test
    void parse_invalidName_refuses() {
        assertThat(failure("listeners:\n  - {type: tcp, name: 'my listener', port: 1}\n").getMessage())
                .isEqualTo("test.yaml: listeners[0].name: must be 1 to 64 letters, digits, '.', '_' or '-'"
                        + " (was \"my listener\")");
        assertThat(failure("listeners:\n  - {type: tcp, name: '  ', port: 1}\n").getMessage())
                .isEqualTo("test.yaml: listeners[0].name: must not be empty");
    }

    @Test
    void parse_duplicateNames_refuse() {
        assertThat(failure("""
                listeners:
                  - {type: tcp, name: a, port: 1883}
                  - {type: websocket, name: a, port: 8080}
                """).getMessage()).isEqualTo("test.yaml: listeners[1].name: duplicate listener name"
                + " (also used by listeners[0])");
    }

    @Test
    void parse_sameBindAndPort_refuses() {
        assertThat(failure("""
                listeners:
                  - {type: tcp, name: a, bind: 127.0.0.1, port: 1883}
                  - {type: websocket, name: b, bind: 127.0.0.1, port: 1883}
                """).getMessage()).isEqualTo("test.yaml: listeners[1].port: same bind address and port as"
                + " listeners[0] ('a')");
        assertThat(failure("""
                listeners:
                  - {type: tcp, name: a, bind: 0.0.0.0, port: 1883}
                  - {type: tcp, name: b, bind: 10.0.0.1, port: 1883}
                """).keyPath()).isEqualTo("listeners[1].port");
    }

    @Test
    void parse_portZeroTwiceOrDifferentBinds_isAccepted() throws ConfigException {
        assertThat(parse("""
                listeners:
                  - {type: tcp, name: a, port: 0}
                  - {type: tcp, name: b, port: 0}
                  - {type: tcp, name: c, bind: 127.0.0.1, port: 1883}
                  - {type: tcp, name: d, bind: 127.0.0.2, port: 1883}
                """).listeners()).hasSize(4);
    }

    @Test
    void parse_invalidBind_refuses() {
        assertThat(failure("listeners:\n  - {type: tcp, name: t, bind: 'local host', port: 1}\n").getMessage())
                .isEqualTo("test.yaml: listeners[0].bind: must be an IP address or a host name (was \"local host\")");
        assertThat(failure("listeners:\n  - {type: tcp, name: t, bind: 300.1.1.1, port: 1}\n").reason())
                .isEqualTo("must be an IP address or a host name (was \"300.1.1.1\")");
        assertThat(failure("listeners:\n  - {type: tcp, name: t, bind: '*', port: 1}\n").getMessage())
                .isEqualTo("test.yaml: listeners[0].bind: must be an IP address or a host name;"
                        + " use 0.0.0.0 or :: to listen on every interface");
    }

    @Test
    void parse_pathOnTcpListener_refuses() {
        assertThat(failure("listeners:\n  - {type: tcp, name: t, port: 1, path: /mqtt}\n").getMessage())
                .isEqualTo("test.yaml: listeners[0].path: is only allowed on websocket and secure-websocket listeners");
    }

    @Test
    void parse_websocketPathWithoutSlash_refuses() {
        assertThat(failure("listeners:\n  - {type: websocket, name: w, port: 1, path: mqtt}\n").getMessage())
                .isEqualTo("test.yaml: listeners[0].path: must start with '/' and contain no spaces, '?' or '#'"
                        + " (was \"mqtt\")");
    }

    // ---- files in the repository

    @Test
    void load_defaultConfig_isLoopbackTcpWebsocketAndTlsWithAuthenticationRequired() throws ConfigException {
        BrokerConfig config = ConfigLoader.load(Path.of("..", "config", "broker.yaml"));

        assertThat(config.source()).endsWith("broker.yaml");
        assertThat(config.mqtt()).isEqualTo(MqttLimits.DEFAULTS);
        assertThat(config.listeners()).containsExactly(
                new ListenerConfig(ListenerType.TCP, "tcp-local", "127.0.0.1", 1883, null, false),
                new ListenerConfig(ListenerType.WEBSOCKET, "ws-local", "127.0.0.1", 8080, "/mqtt", false),
                new ListenerConfig(ListenerType.TLS, "tls-local", "127.0.0.1", 8883, null, false),
                new ListenerConfig(ListenerType.ADMIN, "admin-local", "127.0.0.1", 9090, null, false));
        assertThat(config.listeners().get(2).tls().keyMaterial()).as("development certificate").isNull();
        assertThat(config.security().pipelines()).hasSize(2).first().satisfies(p -> {
            assertThat(p.listeners()).containsExactly("*");
            assertThat(p.authentication()).extracting(SecurityConfig.Manager::type).containsExactly("password");
        });
        assertThat(config.security().realms()).first()
                .satisfies(r -> assertThat(((io.rampart.security.realm.file.FileRealmSettings) r.settings()).file().endsWith(Path.of("config", "users.yaml"))).isTrue());
        // The admin plane: its own pipeline on the admin listener, a file realm in the data directory, the first-run user.
        assertThat(config.security().pipelines().get(1).listeners()).containsExactly("admin-local");
        assertThat(((io.rampart.security.realm.file.FileRealmSettings) config.security().realms().get(1).settings())
                .file().endsWith(Path.of("data", "admin", "users.yaml"))).isTrue();
        assertThat(config.admin().initialAdmin()).isEqualTo(
                new io.rampart.admin.config.AdminSettings.InitialAdmin("admins", "admin", java.util.List.of("admins")));
        assertThat(config.admin().roles().rulesFor(java.util.Set.of("admins"))).singleElement()
                .satisfies(g -> assertThat(g.template()).isEqualTo("super-admin"));
    }

    @Test
    void load_securityExample_parses() throws ConfigException {
        BrokerConfig config = ConfigLoader.load(Path.of("..", "config", "examples", "security.yaml"));
        assertThat(config.security().pipelines()).isNotEmpty();
        assertThat(config.security().realms()).isNotEmpty();
    }

    @Test
    void load_dockerConfig_bindsAllInterfacesWithAuthenticationRequired() throws ConfigException {
        BrokerConfig config = ConfigLoader.load(Path.of("..", "docker", "broker.yaml"));

        assertThat(config.listeners()).extracting(ListenerConfig::bind).containsOnly("0.0.0.0");
        assertThat(config.listeners()).noneMatch(ListenerConfig::allowAnonymous);
        assertThat(config.security().pipelines()).extracting(SecurityConfig.Pipeline::listeners)
                .containsExactly(java.util.List.of("*"), java.util.List.of("admin"));
        assertThat(config.admin().initialAdmin()).isNotNull();
    }

    @Test
    void parse_fullExample_documentsEveryMqttKey() throws Exception {
        String yaml = Files.readString(Path.of("..", "config", "examples", "full.yaml"));
        String docs = Files.readString(Path.of("..", "docs", "CONFIGURATION.md"));
        for (String key : MqttSection.KEYS) {
            assertThat(yaml).contains("  " + key + ":");
            assertThat(docs).contains("`mqtt." + key + "`");
        }
        for (String key : ListenerSection.KEYS) {
            assertThat(docs).contains("`listeners[].%s`".formatted(key));
        }
    }

    @Test
    void load_missingFile_refuses(@TempDir Path dir) {
        Path file = dir.resolve("nope.yaml");
        assertThat(catchConfig(() -> ConfigLoader.load(file)).getMessage()).isEqualTo(file + ": file not found");
        assertThat(catchConfig(() -> ConfigLoader.load(dir)).getMessage())
                .isEqualTo(dir + ": is a directory, not a configuration file");
    }

    @Test
    void load_invalidUtf8_refuses(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("bad.yaml"), new byte[] {'a', ':', ' ', (byte) 0xC3, (byte) 0x28});
        assertThat(catchConfig(() -> ConfigLoader.load(file)).getMessage()).isEqualTo(file + ": is not valid UTF-8");
    }

    @Test
    void load_fileWithError_namesTheFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("broker.yaml"), "listeners:\n  - {type: tcp, name: t, port: 70000}\n");
        assertThat(catchConfig(() -> ConfigLoader.load(file)).getMessage())
                .isEqualTo(file + ": listeners[0].port: must be between 0 and 65535 (was 70000)");
    }
}
