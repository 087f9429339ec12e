package io.rampart.server.config;

import io.rampart.server.tracing.TracingSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
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
        return ConfigLoader.parse(LISTENERS + yaml, "obs.yaml", Map.of("INFLUX_TOKEN", "tok-123", "OTLP_TOKEN", "otlp-secret-9")::get);
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
    @Test
    void tracing_isOffWhenAbsent_andOnWithDefaultsWhenPresent() throws ConfigException {
        assertThat(parse("").observability().tracing()).isEqualTo(TracingSettings.DISABLED);
        assertThat(TracingSettings.DISABLED.enabled()).isFalse();
        TracingSettings t = parse("tracing: {}\n").observability().tracing();
        assertThat(t.enabled()).isTrue();
        assertThat(t.protocol()).isEqualTo(TracingSettings.Protocol.HTTP_PROTOBUF);
        assertThat(t.endpoint()).isEqualTo("http://localhost:4318/v1/traces");
        assertThat(t.sampleRatio()).isEqualTo(0.01);
        assertThat(t.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(t.compression()).isFalse();
        assertThat(t.maxQueueSize()).isEqualTo(2048);
        assertThat(t.deliverySpans()).isEqualTo(100);
        assertThat(parse("tracing: {protocol: grpc}\n").observability().tracing().endpoint())
                .isEqualTo("http://localhost:4317");
        assertThat(parse("tracing: {enabled: false, endpoint: http://c:4318/v1/traces}\n").observability().tracing()
                .enabled()).isFalse();
    }

    @Test
    void tracing_isRead_andTheHeaderSecretComesFromTheEnvironment_andIsNeverShown() throws ConfigException {
        TracingSettings t = parse("""
                tracing:
                  protocol: grpc
                  endpoint: https://collector.example:4317
                  headers:
                    authorization: "Bearer ${ENV:OTLP_TOKEN}"
                    x-tenant: plant-7
                  timeout: 2s
                  compression: gzip
                  sampler: {type: parent-based-ratio, ratio: 0.25}
                  resource: {deployment.environment: prod, service.namespace: mqtt}
                  max-queue-size: 4096
                  delivery-spans: 0
                """).observability().tracing();
        assertThat(t).isEqualTo(new TracingSettings(true, TracingSettings.Protocol.GRPC, "https://collector.example:4317",
                Map.of("authorization", "Bearer otlp-secret-9", "x-tenant", "plant-7"), Duration.ofSeconds(2), true,
                0.25, Map.of("deployment.environment", "prod", "service.namespace", "mqtt"), 4096, 0));
        assertThat(t.toString()).doesNotContain("otlp-secret-9").doesNotContain("plant-7").contains("authorization");
    }

    @Test
    void tracing_invalidValues_nameTheKey() {
        assertThat(failure("tracing: {protocol: udp}\n"))
                .isEqualTo("obs.yaml: tracing.protocol: must be http/protobuf or grpc (was \"udp\")");
        assertThat(failure("tracing: {sampler: {ratio: 1.5}}\n")).contains("sampler.ratio: must be between 0 and 1");
        assertThat(failure("tracing: {sampler: {ratio: often}}\n")).contains("tracing.sampler.ratio: must be a number");
        assertThat(failure("tracing: {sampler: {type: always-on}}\n"))
                .contains("tracing.sampler.type: must be parent-based-ratio");
        assertThat(failure("tracing: {sampler: {rate: 1}}\n")).isEqualTo("obs.yaml: tracing.sampler.rate: unknown key (did you mean 'ratio'?)");
        assertThat(failure("tracing: {endpoint: ftp://c/v1/traces}\n"))
                .contains("endpoint: must be an http:// or https:// URL with a host");
        assertThat(failure("tracing: {endpoint: \"http://u:p@c:4318/v1/traces\"}\n"))
                .contains("endpoint: must not contain user:password@").doesNotContain("u:p");
        assertThat(failure("tracing: {protocol: grpc, endpoint: \"http://c:4317/v1/traces\"}\n"))
                .contains("a grpc endpoint has no path");
        assertThat(failure("tracing: {headers: {\"bad header\": x}}\n")).contains("'bad header' is not a valid header name");
        assertThat(failure("tracing: {timeout: 0s}\n")).contains("timeout: must be between 1ms and 10m");
        assertThat(failure("tracing: {compression: zstd}\n")).contains("tracing.compression: must be none or gzip");
        assertThat(failure("tracing: {max-queue-size: 0}\n")).contains("max-queue-size: must be between 1 and 1000000");
        assertThat(failure("tracing: {delivery-spans: -1}\n")).contains("delivery-spans: must be between 0 and 100000");
        assertThat(failure("tracing: {exporter: zipkin}\n")).startsWith("obs.yaml: tracing.exporter: unknown key");
    }
}
