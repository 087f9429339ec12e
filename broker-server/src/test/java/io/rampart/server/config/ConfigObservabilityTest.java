package io.rampart.server.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.rampart.server.config.ConfigLoaderTest.catchConfig;
import static org.assertj.core.api.Assertions.assertThat;

class ConfigObservabilityTest {

    private static final String LISTENERS = """
            listeners:
              - {type: tcp, name: t, port: 1883}
              - {type: admin, name: admin, port: 9090}
            """;

    private static BrokerConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(LISTENERS + yaml, "obs.yaml", Map.of("INFLUX_TOKEN", "tok-123")::get);
    }

    private static String failure(String yaml) {
        return catchConfig(() -> parse(yaml)).getMessage();
    }

    @Test
    void absentSections_meanDefaults() throws ConfigException {
        BrokerConfig config = parse("");
        assertThat(config.observability()).isEqualTo(ObservabilityConfig.DEFAULTS);
        assertThat(config.listeners().get(1).type()).isEqualTo(ListenerType.ADMIN);
        assertThat(config.listeners().get(1).bind()).isEqualTo("127.0.0.1");
    }

    @Test
    void allSections_areRead_andTheTokenComesFromTheEnvironment() throws ConfigException {
        ObservabilityConfig o = parse("""
                metrics:
                  influx:
                    uri: http://influx:8086
                    org: ops
                    bucket: rampart
                    token: ${ENV:INFLUX_TOKEN}
                    step: 15
                event-log:
                  format: json
                sys-topics:
                  enabled: true
                  interval: 5
                """).observability();
        assertThat(o.influx()).isEqualTo(new ObservabilityConfig.Influx(true, "http://influx:8086", "ops", "rampart",
                "tok-123", 15));
        assertThat(o.influx().toString()).doesNotContain("tok-123");
        assertThat(o.eventLogFormat()).isEqualTo("json");
        assertThat(o.sysTopics()).isEqualTo(new ObservabilityConfig.SysTopics(true, 5));
    }

    @Test
    void invalidValues_nameTheKey() {
        assertThat(failure("event-log: {format: xml}\n"))
                .isEqualTo("obs.yaml: event-log.format: must be plain or json (was \"xml\")");
        assertThat(failure("metrics: {influx: {uri: http://i:8086, org: o}}\n"))
                .startsWith("obs.yaml: metrics.influx").contains("bucket: is required when enabled");
        assertThat(failure("metrics: {influx: {uri: http://i:8086, org: o, bucket: b}}\n"))
                .isEqualTo("obs.yaml: metrics.influx.token: is required when enabled (InfluxDB v2 accepts writes only"
                        + " with an API token; write it as ${ENV:INFLUX_TOKEN})");
        assertThat(failure("metrics: {influx: {uri: ftp://i, org: o, bucket: b, token: t}}\n"))
                .contains("uri: must start with http:// or https://");
        assertThat(failure("metrics: {influx: {enabled: false, step: 0}}\n")).contains("step: must be between 1 and 3600");
        assertThat(failure("metrics: {prometheus: {}}\n")).contains("metrics.prometheus: unknown key");
        assertThat(failure("sys-topics: {interval: 0}\n")).contains("interval: must be between 1 and 86400");
    }

    @Test
    void adminListeners_takeNoAnonymousFlag_andOnlyAPipelineOfTheirOwn() {
        assertThat(catchConfig(() -> ConfigLoader.parse("""
                listeners:
                  - {type: admin, name: a, port: 9090, allow-anonymous: true}
                """, "obs.yaml")).getMessage()).contains("allow-anonymous: is only for MQTT listeners");
        assertThat(catchConfig(() -> ConfigLoader.parse(LISTENERS + """
                security:
                  realms:
                    - {name: local, type: file, path: users.yaml}
                  pipelines:
                    - name: p
                      listeners: [admin, t]
                      authentication:
                        - {type: password, realm: local}
                """, "obs.yaml")).getMessage()).contains("security.pipelines[0].listeners: binds admin and MQTT"
                + " listeners; an admin listener needs a pipeline of its own");
        assertThat(catchConfig(() -> ConfigLoader.parse(LISTENERS + """
                security:
                  pipelines:
                    - name: p
                      listeners: [admin]
                      authentication:
                        - {type: anonymous, permissions: []}
                """, "obs.yaml")).getMessage()).contains("security.pipelines[0].authentication[0].type: 'anonymous'"
                + " cannot authenticate admin API callers");
        assertThat(catchConfig(() -> ConfigLoader.parse(LISTENERS + """
                security:
                  realms:
                    - {name: local, type: file, path: users.yaml}
                  pipelines:
                    - name: p
                      listeners: [admin]
                      authentication:
                        - {type: password, realm: local}
                      authorization:
                        - {type: realm, realm: local}
                """, "obs.yaml")).getMessage()).contains("security.pipelines[0].authorization: an admin pipeline has"
                + " no authorization managers");
    }

    @Test
    void everyKey_isInTheFullExampleAndTheReference() throws Exception {
        String yaml = java.nio.file.Files.readString(java.nio.file.Path.of("..", "config", "examples", "full.yaml"));
        String docs = java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "CONFIGURATION.md"));
        for (String key : ObservabilitySection.INFLUX_KEYS) {
            assertThat(yaml).contains("    " + key + ":");
            assertThat(docs).contains("`metrics.influx." + key + "`");
        }
        for (String key : ObservabilitySection.SYS_KEYS) {
            assertThat(docs).contains("`sys-topics." + key + "`");
        }
        assertThat(docs).contains("`event-log.format`");
    }
}
