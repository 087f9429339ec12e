package io.rampart.server.config;

import io.rampart.server.tracing.TracingSettings;

import java.net.URI;
import java.util.Objects;

/**
 * What operators see besides the scrape endpoint: the optional InfluxDB push, the event-log format, the
 * optional Mosquitto-style {@code $SYS} topics and the optional distributed tracing.
 *
 * @param influx         push to InfluxDB ({@link Influx#DISABLED} when absent)
 * @param eventLogFormat {@code plain} (key=value) or {@code json} (one JSON object per line)
 * @param sysTopics      {@code $SYS/broker/...} publication ({@link SysTopics#DISABLED} when absent)
 * @param tracing        OpenTelemetry spans over OTLP ({@link TracingSettings#DISABLED} when absent)
 */
public record ObservabilityConfig(Influx influx, String eventLogFormat, SysTopics sysTopics,
                                  TracingSettings tracing) {

    public static final ObservabilityConfig DEFAULTS = new ObservabilityConfig(Influx.DISABLED, "plain",
            SysTopics.DISABLED, TracingSettings.DISABLED);

    public ObservabilityConfig {
        Objects.requireNonNull(influx, "influx");
        Objects.requireNonNull(sysTopics, "sysTopics");
        Objects.requireNonNull(tracing, "tracing");
        if (!"plain".equals(eventLogFormat) && !"json".equals(eventLogFormat)) {
            throw new IllegalArgumentException("event-log.format: must be plain or json (was \"" + eventLogFormat + "\")");
        }
    }

    /**
     * InfluxDB v2 push (line protocol over HTTP).
     *
     * @param enabled     whether to push at all
     * @param uri         base URI of the server, e.g. {@code http://influx:8086}
     * @param org         organisation
     * @param bucket      bucket
     * @param token       API token, required when enabled (write it as {@code ${ENV:INFLUX_TOKEN}}); never logged
     * @param stepSeconds push interval, 1..3600
     */
    public record Influx(boolean enabled, String uri, String org, String bucket, String token, int stepSeconds) {

        public static final Influx DISABLED = new Influx(false, null, null, null, null, 60);

        public Influx {
            if (stepSeconds < 1 || stepSeconds > 3600) {
                throw new IllegalArgumentException("step: must be between 1 and 3600 seconds (was " + stepSeconds + ")");
            }
            if (enabled) {
                if (uri == null || uri.isBlank()) {
                    throw new IllegalArgumentException("uri: is required when enabled");
                }
                URI parsed;
                try {
                    parsed = URI.create(uri);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("uri: is not a valid URI");
                }
                if (!"http".equals(parsed.getScheme()) && !"https".equals(parsed.getScheme())) {
                    throw new IllegalArgumentException("uri: must start with http:// or https://");
                }
                if (org == null || org.isBlank()) {
                    throw new IllegalArgumentException("org: is required when enabled");
                }
                if (bucket == null || bucket.isBlank()) {
                    throw new IllegalArgumentException("bucket: is required when enabled");
                }
                if (token == null || token.isBlank()) {
                    throw new IllegalArgumentException("token: is required when enabled (InfluxDB v2 accepts writes"
                            + " only with an API token; write it as ${ENV:INFLUX_TOKEN})");
                }
            }
        }

        @Override
        public String toString() {
            return "Influx[enabled=" + enabled + ", uri=" + uri + ", org=" + org + ", bucket=" + bucket
                    + ", token=" + (token == null ? "none" : "***") + ", step=" + stepSeconds + "s]";
        }
    }

    /**
     * Mosquitto-style broker statistics as retained messages under {@code $SYS/broker/}.
     *
     * @param enabled         whether to publish them
     * @param intervalSeconds how often, 1..86400
     */
    public record SysTopics(boolean enabled, int intervalSeconds) {

        public static final SysTopics DISABLED = new SysTopics(false, 10);

        public SysTopics {
            if (intervalSeconds < 1 || intervalSeconds > 86_400) {
                throw new IllegalArgumentException("interval: must be between 1 and 86400 seconds (was "
                        + intervalSeconds + ")");
            }
        }
    }
}
