package io.rampart.server.tracing;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporterBuilder;
import io.opentelemetry.sdk.common.Clock;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The broker's OpenTelemetry tracer: built only when {@code tracing.enabled} is true (otherwise the broker holds
 * {@code null} and no OpenTelemetry object exists). It decides which CONNECTs and PUBLISHes are recorded and starts
 * their spans; finished spans are exported in batches over OTLP by a thread of the SDK, never by an event loop.
 *
 * <p>Sampling is parent-based: a PUBLISH whose valid {@code traceparent} user property says sampled is recorded, one
 * that says not sampled is not; everything else (MQTT 3 messages, MQTT 5 messages without or with an invalid
 * {@code traceparent}, CONNECTs) starts a new trace with the configured ratio. A message that is not recorded creates
 * no span object at all; for PUBLISHes the decision costs one decrement ({@link RootSampler}), a CONNECT draws one
 * random number.
 */
public final class Tracing implements AutoCloseable {

    private static final Logger LOG = LogManager.getLogger(Tracing.class);
    private static final String INSTRUMENTATION = "io.rampart.broker";

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final Clock clock = Clock.getDefault();
    private final double sampleRatio;
    private final int deliverySpans;

    private Tracing(SdkTracerProvider provider, String version, double sampleRatio, int deliverySpans) {
        this.provider = provider;
        this.tracer = provider.tracerBuilder(INSTRUMENTATION).setInstrumentationVersion(version).build();
        this.sampleRatio = sampleRatio;
        this.deliverySpans = deliverySpans;
    }

    /** Starts the tracer and its exporter; {@code version} is the broker's (the {@code service.version}). */
    public static Tracing start(TracingSettings settings, String version) {
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(resource(settings, version))
                // Whether a message is recorded is decided here (publish, connect) before any span exists, and
                // every span built belongs to a recorded trace: the SDK's sampler has nothing left to decide.
                .setSampler(Sampler.alwaysOn())
                .addSpanProcessor(BatchSpanProcessor.builder(exporter(settings))
                        .setMaxQueueSize(settings.maxQueueSize())
                        .setMaxExportBatchSize(Math.min(512, settings.maxQueueSize()))
                        .setExporterTimeout(settings.timeout())
                        .build())
                .build();
        LOG.info("distributed tracing on: OTLP {} export to {} ({} header(s)), {} % of new traces recorded",
                settings.protocol().configName(), settings.endpoint(), settings.headers().size(),
                settings.sampleRatio() * 100);
        return new Tracing(provider, version, settings.sampleRatio(), settings.deliverySpans());
    }

    private static Resource resource(TracingSettings settings, String version) {
        AttributesBuilder attributes = Attributes.builder()
                .put(AttributeKey.stringKey("service.name"), "rampart")
                .put(AttributeKey.stringKey("service.version"), version);
        settings.resource().forEach((name, value) -> attributes.put(AttributeKey.stringKey(name), value));
        return Resource.getDefault().merge(Resource.create(attributes.build()));
    }

    private static SpanExporter exporter(TracingSettings settings) {
        if (settings.protocol() == TracingSettings.Protocol.GRPC) {
            OtlpGrpcSpanExporterBuilder grpc = OtlpGrpcSpanExporter.builder()
                    .setEndpoint(settings.endpoint())
                    .setTimeout(settings.timeout())
                    .setCompression(settings.compression() ? "gzip" : "none");
            settings.headers().forEach(grpc::addHeader);
            return grpc.build();
        }
        OtlpHttpSpanExporterBuilder http = OtlpHttpSpanExporter.builder()
                .setEndpoint(settings.endpoint())
                .setTimeout(settings.timeout())
                .setCompression(settings.compression() ? "gzip" : "none");
        settings.headers().forEach(http::addHeader);
        return http.build();
    }

    /** Whether a new trace is recorded (the ratio's draw). */
    boolean sampleRoot() {
        return sampleRatio >= 1.0 || sampleRatio > 0.0 && ThreadLocalRandom.current().nextDouble() < sampleRatio;
    }

    /**
     * A CONNECT arrived: its span, or {@code null} when this CONNECT is not recorded.
     *
     * @param protocolVersion 3, 4 or 5, as in the CONNECT packet
     */
    public ConnectSpan connect(String listener, SocketAddress remote, String clientId, int protocolVersion) {
        if (!sampleRoot()) {
            return null;
        }
        long epochNanos = clock.now();
        long nanoTime = System.nanoTime();
        AttributesBuilder attributes = Attributes.builder()
                .put(TraceAttributes.MESSAGING_SYSTEM, "mqtt")
                .put(TraceAttributes.PROTOCOL_NAME, "mqtt")
                .put(TraceAttributes.PROTOCOL_VERSION, protocolName(protocolVersion))
                .put(TraceAttributes.LISTENER, listener)
                .put(TraceAttributes.CLIENT_ID, clientId);
        peer(attributes, remote);
        return new ConnectSpan(this, tracer.spanBuilder("CONNECT").setNoParent().setSpanKind(SpanKind.SERVER)
                .setStartTimestamp(epochNanos, TimeUnit.NANOSECONDS).setAllAttributes(attributes.build())
                .startSpan(), epochNanos, nanoTime);
    }

    /** The sampling state of one connection's PUBLISHes (see {@link #publish}). */
    public RootSampler rootSampler() {
        return new RootSampler(sampleRatio);
    }

    /**
     * A PUBLISH from a client: its span, or {@code null} when this message is not recorded. The topic is added
     * once topic aliases are resolved ({@link PublishSpan#topic}).
     *
     * @param roots      the connection's {@link #rootSampler()}, which decides when the message starts a new trace
     * @param properties the PUBLISH's MQTT 5 properties ({@link MqttProperties#NO_PROPERTIES} for MQTT 3)
     */
    public PublishSpan publish(RootSampler roots, String listener, String clientId, int qos, boolean retain,
                               int payloadBytes, MqttProperties properties) {
        TraceContextProperties.Incoming incoming = TraceContextProperties.extract(properties);
        SpanContext parent = incoming == null ? null : incoming.context();
        if (parent != null ? !parent.isSampled() : !roots.sample()) {
            return null;
        }
        var builder = tracer.spanBuilder("PUBLISH").setSpanKind(SpanKind.SERVER)
                .setAttribute(TraceAttributes.MESSAGING_SYSTEM, "mqtt")
                .setAttribute(TraceAttributes.OPERATION_TYPE, "receive")
                .setAttribute(TraceAttributes.CLIENT_ID, clientId)
                .setAttribute(TraceAttributes.LISTENER, listener)
                .setAttribute(TraceAttributes.QOS, qos)
                .setAttribute(TraceAttributes.RETAIN, retain)
                .setAttribute(TraceAttributes.BODY_SIZE, payloadBytes);
        if (parent != null) {
            builder.setParent(Context.root().with(io.opentelemetry.api.trace.Span.wrap(parent)));
        } else {
            builder.setNoParent();
            if (incoming != null) {
                builder.setAttribute(TraceAttributes.TRACE_CONTEXT, "invalid");
            }
        }
        return new PublishSpan(this, builder.startSpan());
    }

    Tracer tracer() {
        return tracer;
    }

    int deliverySpans() {
        return deliverySpans;
    }

    static void peer(AttributesBuilder attributes, SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet) {
            if (inet.getAddress() != null) {
                attributes.put(TraceAttributes.PEER_ADDRESS, inet.getAddress().getHostAddress());
            }
            attributes.put(TraceAttributes.PEER_PORT, inet.getPort());
        }
    }

    private static String protocolName(int version) {
        return switch (version) {
            case 3 -> "3.1";
            case 4 -> "3.1.1";
            case 5 -> "5.0";
            default -> Integer.toString(version);
        };
    }

    /** Exports what is still queued (bounded by the export timeout) and stops the exporter. */
    @Override
    public void close() {
        provider.shutdown().join(10, TimeUnit.SECONDS);
    }
}
