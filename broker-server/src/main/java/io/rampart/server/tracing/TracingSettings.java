package io.rampart.server.tracing;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Distributed tracing with OpenTelemetry: where spans are exported (OTLP) and how many traces are recorded.
 *
 * @param enabled          whether the broker records spans at all; when not, no OpenTelemetry object is created
 * @param protocol         how spans are exported
 * @param endpoint         the collector's URL: for {@code http/protobuf} the full path (usually ending in
 *                         {@code /v1/traces}), for {@code grpc} the scheme, host and port
 * @param headers          sent with every export (e.g. an {@code Authorization} header from {@code ${ENV:...}});
 *                         values are never logged
 * @param timeout          how long one export may take, 1 ms..10 min
 * @param compression      compress exports with gzip
 * @param sampleRatio      the share of new traces recorded, 0..1 (parent-based: a message that continues a trace
 *                         follows the sampled flag of its {@code traceparent})
 * @param resource         resource attributes of the broker's spans ({@code service.name} defaults to rampart)
 * @param maxQueueSize     finished spans waiting for export, 1..1 000 000; more are dropped
 * @param deliverySpans    per message, at most this many subscribers get enqueue and deliver spans, 0..100 000
 */
public record TracingSettings(boolean enabled, Protocol protocol, String endpoint, Map<String, String> headers,
                              Duration timeout, boolean compression, double sampleRatio, Map<String, String> resource,
                              int maxQueueSize, int deliverySpans) {

    /** The OTLP transports. */
    public enum Protocol {
        /** Protobuf over HTTP, e.g. {@code http://collector:4318/v1/traces}. */
        HTTP_PROTOBUF("http/protobuf", "http://localhost:4318/v1/traces"),
        /** gRPC (HTTP/2), e.g. {@code http://collector:4317}. */
        GRPC("grpc", "http://localhost:4317");

        private final String configName;
        private final String defaultEndpoint;

        Protocol(String configName, String defaultEndpoint) {
            this.configName = configName;
            this.defaultEndpoint = defaultEndpoint;
        }

        /** As written in the configuration. */
        public String configName() {
            return configName;
        }

        public String defaultEndpoint() {
            return defaultEndpoint;
        }

        /** The protocol written as {@code name}, or {@code null}. */
        public static Protocol named(String name) {
            for (Protocol p : values()) {
                if (p.configName.equals(name)) {
                    return p;
                }
            }
            return null;
        }
    }

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final double DEFAULT_SAMPLE_RATIO = 0.01;
    public static final int DEFAULT_MAX_QUEUE_SIZE = 2048;
    public static final int DEFAULT_DELIVERY_SPANS = 100;

    /** Tracing off: the default. */
    public static final TracingSettings DISABLED = new TracingSettings(false, Protocol.HTTP_PROTOBUF,
            Protocol.HTTP_PROTOBUF.defaultEndpoint(), Map.of(), DEFAULT_TIMEOUT, false, DEFAULT_SAMPLE_RATIO, Map.of(),
            DEFAULT_MAX_QUEUE_SIZE, DEFAULT_DELIVERY_SPANS);

    public TracingSettings {
        Objects.requireNonNull(protocol, "protocol");
        headers = Map.copyOf(headers == null ? Map.of() : headers);
        resource = Map.copyOf(resource == null ? Map.of() : resource);
        if (endpoint == null || endpoint.isBlank()) {
            endpoint = protocol.defaultEndpoint();
        }
        URI parsed;
        try {
            parsed = new URI(endpoint);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("endpoint: is not a valid URL");
        }
        if (!"http".equals(parsed.getScheme()) && !"https".equals(parsed.getScheme()) || parsed.getHost() == null) {
            throw new IllegalArgumentException("endpoint: must be an http:// or https:// URL with a host");
        }
        if (parsed.getRawUserInfo() != null) {
            throw new IllegalArgumentException("endpoint: must not contain user:password@; put credentials in"
                    + " headers, from ${ENV:...}");
        }
        if (protocol == Protocol.GRPC && parsed.getRawPath() != null && !parsed.getRawPath().isEmpty()
                && !"/".equals(parsed.getRawPath())) {
            throw new IllegalArgumentException("endpoint: a grpc endpoint has no path (scheme, host and port only)");
        }
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (!header.getKey().matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
                throw new IllegalArgumentException("headers: '" + header.getKey() + "' is not a valid header name");
            }
            if (header.getValue().chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7F)) {
                throw new IllegalArgumentException("headers." + header.getKey()
                        + ": must not contain control characters");
            }
        }
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("timeout: must be between 1ms and 10m (was " + timeout + ")");
        }
        if (!(sampleRatio >= 0.0 && sampleRatio <= 1.0)) {
            throw new IllegalArgumentException("sampler.ratio: must be between 0 and 1 (was " + sampleRatio + ")");
        }
        for (Map.Entry<String, String> attribute : resource.entrySet()) {
            if (attribute.getKey().isBlank()) {
                throw new IllegalArgumentException("resource: attribute names must not be empty");
            }
        }
        if (maxQueueSize < 1 || maxQueueSize > 1_000_000) {
            throw new IllegalArgumentException("max-queue-size: must be between 1 and 1000000 (was " + maxQueueSize
                    + ")");
        }
        if (deliverySpans < 0 || deliverySpans > 100_000) {
            throw new IllegalArgumentException("delivery-spans: must be between 0 and 100000 (was " + deliverySpans
                    + ")");
        }
    }

    @Override
    public String toString() {
        return "TracingSettings[enabled=" + enabled + ", protocol=" + protocol.configName() + ", endpoint=" + endpoint
                + ", headers=" + headers.keySet() + " (values hidden), timeout=" + timeout + ", compression="
                + compression + ", sampleRatio=" + sampleRatio + ", resource=" + resource + ", maxQueueSize="
                + maxQueueSize + ", deliverySpans=" + deliverySpans + "]";
    }
}
