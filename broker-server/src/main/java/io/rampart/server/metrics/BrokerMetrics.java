package io.rampart.server.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.influx.InfluxApiVersion;
import io.micrometer.influx.InfluxConfig;
import io.micrometer.influx.InfluxMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.internal.PlatformDependent;
import io.rampart.core.BrokerCore;
import io.rampart.core.QueueOverflowPolicy;
import io.rampart.core.session.DropReason;
import io.rampart.server.config.ObservabilityConfig;
import io.rampart.tls.TlsObserver;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The broker's meters (Micrometer): one Prometheus registry for the admin listener's {@code /metrics}, plus
 * an InfluxDB registry when the push is configured, behind one composite. Names are Micrometer's dotted form
 * ({@code rampart.messages.in}); the Prometheus scrape shows them with underscores
 * ({@code rampart_messages_in_total}). docs/OBSERVABILITY.md lists every meter and its tags.
 *
 * <p>Per-message updates are a single {@link LongAdder#increment()} on a counter resolved at startup (arrays
 * indexed by packet type and QoS): no tag lookup, no allocation, no shared lock on the publish path. The
 * registry reads the adders when it is scraped or pushes.
 */
public final class BrokerMetrics implements AutoCloseable {

    /** The {@code result} tags of {@code rampart.connect.attempts}. */
    public static final String ACCEPTED = "accepted";
    public static final String INVALID = "invalid";

    private static final String[] CONNECT_RESULTS = {ACCEPTED, "bad-credentials", "not-authorized", "unavailable",
            "client-id-refused", INVALID};
    private static final int TYPES = 16;
    /** The packet types a client may send (MQTT 5.0 section 2.1.2; AUTH only in MQTT 5). */
    static final Set<MqttMessageType> CLIENT_TO_SERVER = Collections.unmodifiableSet(EnumSet.of(
            MqttMessageType.CONNECT, MqttMessageType.PUBLISH, MqttMessageType.PUBACK, MqttMessageType.PUBREC,
            MqttMessageType.PUBREL, MqttMessageType.PUBCOMP, MqttMessageType.SUBSCRIBE, MqttMessageType.UNSUBSCRIBE,
            MqttMessageType.PINGREQ, MqttMessageType.DISCONNECT, MqttMessageType.AUTH));
    /** The packet types a server may send (DISCONNECT and AUTH only in MQTT 5). */
    static final Set<MqttMessageType> SERVER_TO_CLIENT = Collections.unmodifiableSet(EnumSet.of(
            MqttMessageType.CONNACK, MqttMessageType.PUBLISH, MqttMessageType.PUBACK, MqttMessageType.PUBREC,
            MqttMessageType.PUBREL, MqttMessageType.PUBCOMP, MqttMessageType.SUBACK, MqttMessageType.UNSUBACK,
            MqttMessageType.PINGRESP, MqttMessageType.DISCONNECT, MqttMessageType.AUTH));

    private final PrometheusMeterRegistry prometheus;
    private final InfluxMeterRegistry influx;
    private final CompositeMeterRegistry registry;
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder[] packetsIn = new LongAdder[TYPES];
    private final LongAdder[] packetsOut = new LongAdder[TYPES];
    private final LongAdder[] publishIn = new LongAdder[3];
    private final LongAdder[] publishOut = new LongAdder[3];
    private final LongAdder[] drops = new LongAdder[DropReason.values().length];
    private final LongAdder noSubscribers = new LongAdder();
    private final LongAdder publishDenied = new LongAdder();
    private final LongAdder opened = new LongAdder();
    private final LongAdder[] refusedOnAccept = adders(AcceptRefusal.values().length);
    private final LongAdder publishHolds = new LongAdder();
    private final LongAdder deliveryHolds = new LongAdder();
    private final AtomicInteger publishHeldNow = new AtomicInteger();
    private final EnumMap<CloseReason, LongAdder> closed = new EnumMap<>(CloseReason.class);
    private final Map<String, LongAdder> connectAttempts = new ConcurrentHashMap<>();
    private final EnumMap<AuthzAction, LongAdder> denials = new EnumMap<>(AuthzAction.class);
    private final Map<String, Timer> authTimers = new ConcurrentHashMap<>();
    private final LongAdder memoryHolds = new LongAdder();
    private final AtomicInteger memoryHeldNow = new AtomicInteger();
    private final Map<String, LongAdder> slowConsumerEpisodes = new ConcurrentHashMap<>();
    private SlowConsumerMeters slowConsumers;
    private final MetricsTlsObserver tlsObserver;
    private SessionStats sessionStats;

    public BrokerMetrics(ObservabilityConfig.Influx influxConfig) {
        prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry = new CompositeMeterRegistry(Clock.SYSTEM);
        registry.add(prometheus);
        influx = influxConfig.enabled() ? InfluxMeterRegistry.builder(influxConfig(influxConfig)).clock(Clock.SYSTEM)
                .threadFactory(new DefaultThreadFactory("rampart-influx", true)).build() : null;
        if (influx != null) {
            registry.add(influx);
        }
        registerTraffic();
        registerConnections();
        registerOverload();
        registerSecurity();
        registerJvm();
        tlsObserver = new MetricsTlsObserver(registry);
    }

    /** Metrics without any push (tests, tools). */
    public static BrokerMetrics prometheusOnly() {
        return new BrokerMetrics(ObservabilityConfig.Influx.DISABLED);
    }

    private static InfluxConfig influxConfig(ObservabilityConfig.Influx c) {
        return new InfluxConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public String uri() {
                return c.uri();
            }

            @Override
            public String org() {
                return c.org();
            }

            @Override
            public String bucket() {
                return c.bucket();
            }

            @Override
            public String token() {
                return c.token();
            }

            @Override
            public InfluxApiVersion apiVersion() {
                return InfluxApiVersion.V2;
            }

            @Override
            public boolean autoCreateDb() {
                return false;
            }

            @Override
            public boolean compressed() {
                return false;
            }

            @Override
            public Duration step() {
                return Duration.ofSeconds(c.stepSeconds());
            }
        };
    }

    // ------------------------------------------------------------------ registration

    private void registerTraffic() {
        FunctionCounter.builder("rampart.bytes.in", bytesIn, LongAdder::sum).baseUnit("bytes")
                .description("Bytes read from MQTT connections").register(registry);
        FunctionCounter.builder("rampart.bytes.out", bytesOut, LongAdder::sum).baseUnit("bytes")
                .description("Bytes written to MQTT connections").register(registry);
        for (int qos = 0; qos < 3; qos++) {
            publishIn[qos] = packetCounter("rampart.messages.in", "publish", Integer.toString(qos), "received");
            publishOut[qos] = packetCounter("rampart.messages.out", "publish", Integer.toString(qos), "sent");
        }
        for (MqttMessageType type : CLIENT_TO_SERVER) {
            if (type != MqttMessageType.PUBLISH) {
                packetsIn[type.value()] = packetCounter("rampart.messages.in", typeTag(type), "none", "received");
            }
        }
        for (MqttMessageType type : SERVER_TO_CLIENT) {
            if (type != MqttMessageType.PUBLISH) {
                packetsOut[type.value()] = packetCounter("rampart.messages.out", typeTag(type), "none", "sent");
            }
        }
        for (DropReason r : DropReason.values()) {
            LongAdder adder = new LongAdder();
            drops[r.ordinal()] = adder;
            if (r == DropReason.NOT_AUTHORIZED) {
                // receivers that may not read the topic, and publishers that may not write it
                FunctionCounter.builder("rampart.publish.dropped", this, m -> m.drops[r.ordinal()].sum() + m.publishDenied.sum())
                        .tag("reason", tag(r)).description("PUBLISH messages not delivered").register(registry);
            } else {
                FunctionCounter.builder("rampart.publish.dropped", adder, LongAdder::sum)
                        .tag("reason", tag(r)).description("PUBLISH messages not delivered").register(registry);
            }
        }
        FunctionCounter.builder("rampart.publish.dropped", noSubscribers, LongAdder::sum)
                .tag("reason", "no-subscribers").description("PUBLISH messages not delivered").register(registry);
    }

    private static String typeTag(MqttMessageType type) {
        return type.name().toLowerCase(Locale.ROOT);
    }

    private LongAdder packetCounter(String name, String type, String qos, String verb) {
        LongAdder adder = new LongAdder();
        FunctionCounter.builder(name, adder, LongAdder::sum).tags("type", type, "qos", qos)
                .description("MQTT packets " + verb + ", by packet type and QoS").register(registry);
        return adder;
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] adders = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            adders[i] = new LongAdder();
        }
        return adders;
    }

    private void registerConnections() {
        FunctionCounter.builder("rampart.connections.opened", opened, LongAdder::sum)
                .description("Network connections accepted on MQTT listeners").register(registry);
        for (CloseReason r : CloseReason.values()) {
            LongAdder adder = new LongAdder();
            closed.put(r, adder);
            FunctionCounter.builder("rampart.connections.closed", adder, LongAdder::sum).tag("reason", r.tag())
                    .description("Network connections closed, by reason").register(registry);
        }
        for (AcceptRefusal r : AcceptRefusal.values()) {
            FunctionCounter.builder("rampart.connections.refused", refusedOnAccept[r.ordinal()], LongAdder::sum)
                    .tag("reason", r.tag())
                    .description("Network connections closed on accept, by the listener limit they were beyond")
                    .register(registry);
        }
        FunctionCounter.builder("rampart.throttle.holds", publishHolds, LongAdder::sum).tag("direction", "publish")
                .description("Times a client was held back (its socket not read) for being over its publish rates")
                .register(registry);
        FunctionCounter.builder("rampart.throttle.holds", deliveryHolds, LongAdder::sum).tag("direction", "deliver")
                .description("Times delivery to a client waited for its delivery rates").register(registry);
        Gauge.builder("rampart.throttle.held", publishHeldNow, AtomicInteger::get).tag("direction", "publish")
                .description("Connections held back now for being over their publish rates").register(registry);
        FunctionCounter.builder("rampart.keepalive.disconnects", closed.get(CloseReason.KEEP_ALIVE_TIMEOUT), LongAdder::sum)
                .description("Clients disconnected because nothing arrived within 1.5 x keep alive").register(registry);
        for (String result : CONNECT_RESULTS) {
            LongAdder adder = new LongAdder();
            connectAttempts.put(result, adder);
            FunctionCounter.builder("rampart.connect.attempts", adder, LongAdder::sum).tag("result", result)
                    .description("CONNECT packets, by outcome").register(registry);
        }
    }

    private void registerOverload() {
        FunctionCounter.builder("rampart.memory.holds", memoryHolds, LongAdder::sum)
                .description("Times a publisher's socket stopped being read for the memory budget").register(registry);
        Gauge.builder("rampart.memory.held.connections", memoryHeldNow, AtomicInteger::get)
                .description("Connections not read now for the memory budget (back-pressured publishers)")
                .register(registry);
        for (QueueOverflowPolicy p : QueueOverflowPolicy.values()) {
            LongAdder adder = new LongAdder();
            slowConsumerEpisodes.put(tag(p), adder);
            FunctionCounter.builder("rampart.slow.consumers", adder, LongAdder::sum).tag("action", tag(p))
                    .description("Times a session's queue reached its bound (slow-consumer episodes), by overflow policy")
                    .register(registry);
        }
    }

    public static String tag(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private void registerSecurity() {
        for (AuthzAction a : AuthzAction.values()) {
            LongAdder adder = new LongAdder();
            denials.put(a, adder);
            FunctionCounter.builder("rampart.authz.denials", adder, LongAdder::sum).tag("action", a.tag())
                    .description("Actions refused by the client's permissions").register(registry);
        }
    }

    private void registerJvm() {
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(registry);
        if (ByteBufAllocator.DEFAULT != PooledByteBufAllocator.DEFAULT
                && ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
            new NettyAllocatorMetrics(provider).bindTo(registry);
        }
        Gauge.builder("rampart.netty.direct.memory.used", () -> PlatformDependent.usedDirectMemory())
                .baseUnit("bytes").description("Direct memory Netty has reserved (-1 when not tracked)")
                .register(registry);
    }

    /**
     * Gauges over the broker's state, read when scraped.
     *
     * @param connections open MQTT network connections
     */
    public void bindBroker(BrokerCore core, IntSupplier connections) {
        sessionStats = new SessionStats(core.sessions());
        slowConsumers = new SlowConsumerMeters(registry, core.sessions());
        Gauge.builder("rampart.memory.budget.used", core.budget(), b -> b.used()).baseUnit("bytes")
                .description("Bytes of queued and in-flight messages reserved from the memory budget").register(registry);
        Gauge.builder("rampart.memory.budget.limit", core.budget(), b -> b.limit()).baseUnit("bytes")
                .description("The memory budget for queued and in-flight messages").register(registry);
        Gauge.builder("rampart.memory.budget.level", core.budget(), b -> b.level())
                .description("0 normal, 1 back-pressure (fullest queues' publishers held), 2 also shedding QoS 0 of slow consumers")
                .register(registry);
        Gauge.builder("rampart.connections.current", connections::getAsInt)
                .description("Open network connections on MQTT listeners").register(registry);
        Gauge.builder("rampart.retained.messages", core.retained(), r -> r.size())
                .description("Retained messages stored").register(registry);
        Gauge.builder("rampart.sessions", sessionStats, s -> s.snapshot().active()).tag("state", "active")
                .description("Sessions with a live connection").register(registry);
        Gauge.builder("rampart.sessions", sessionStats, s -> s.snapshot().persistent()).tag("state", "persistent")
                .description("Sessions kept without a connection (until they expire)").register(registry);
        Gauge.builder("rampart.subscriptions", core.subscriptions(),
                        i -> i.subscriptionCount() - i.sharedSubscriptionCount()).tag("kind", "regular")
                .description("Subscriptions in the index").register(registry);
        Gauge.builder("rampart.subscriptions", core.subscriptions(), i -> i.sharedSubscriptionCount())
                .tag("kind", "shared").description("Subscriptions in the index").register(registry);
        Gauge.builder("rampart.queued.messages", sessionStats, s -> s.snapshot().queued())
                .description("Messages waiting in session queues").register(registry);
        Gauge.builder("rampart.inflight.messages", sessionStats, s -> s.snapshot().inflight())
                .description("QoS 1/2 messages sent and not yet acknowledged").register(registry);
    }

    // ------------------------------------------------------------------ hot-path updates

    public void bytesIn(int n) {
        bytesIn.add(n);
    }

    public void bytesOut(int n) {
        bytesOut.add(n);
    }

    /** A decoded packet from a client; a type only servers send (a protocol error the handler answers) is not counted. */
    public void packetIn(MqttMessageType type, int qos) {
        LongAdder counter = type == MqttMessageType.PUBLISH ? publishIn[qos] : packetsIn[type.value()];
        if (counter != null) {
            counter.increment();
        }
    }

    public void packetOut(MqttMessageType type, int qos) {
        LongAdder counter = type == MqttMessageType.PUBLISH ? publishOut[qos] : packetsOut[type.value()];
        if (counter != null) {
            counter.increment();
        }
    }

    public void dropped(DropReason reason) {
        drops[reason.ordinal()].increment();
    }

    public long droppedCount(DropReason reason) {
        return drops[reason.ordinal()].sum();
    }

    public void noSubscribers() {
        noSubscribers.increment();
    }

    // ------------------------------------------------------------------ overload

    /** A publisher's socket stopped ({@code true}) or resumed ({@code false}) being read for the memory budget. */
    public void memoryHold(boolean held) {
        if (held) {
            memoryHolds.increment();
            memoryHeldNow.incrementAndGet();
        } else {
            memoryHeldNow.decrementAndGet();
        }
    }

    /** A session's queue reached its bound; {@code action} is its overflow policy's tag. */
    public void slowConsumer(String clientId, String action) {
        LongAdder episodes = slowConsumerEpisodes.get(action);
        if (episodes != null) {
            episodes.increment();
        }
        if (slowConsumers != null) {
            slowConsumers.track(clientId);
        }
    }

    /** A session ended: its per-client meters go. */
    public void sessionEnded(String clientId) {
        if (slowConsumers != null) {
            slowConsumers.untrack(clientId);
        }
    }

    // ------------------------------------------------------------------ connection-level updates

    public void connectionOpened() {
        opened.increment();
    }

    public void connectionClosed(CloseReason reason) {
        closed.get(reason).increment();
    }

    public void connectionRefusedOnAccept(AcceptRefusal reason) {
        refusedOnAccept[reason.ordinal()].increment();
    }

    /** A client's reading was paused for its publish rates ({@code true}) or resumed ({@code false}). */
    public void publishHeld(boolean held) {
        if (held) {
            publishHolds.increment();
            publishHeldNow.incrementAndGet();
        } else {
            publishHeldNow.decrementAndGet();
        }
    }

    public void deliveryHeld() {
        deliveryHolds.increment();
    }

    /**
     * @param result {@link #ACCEPTED}, {@code bad-credentials}, {@code not-authorized}, {@code unavailable},
     *               {@code client-id-refused} or {@link #INVALID}
     */
    public void connectAttempt(String result) {
        LongAdder adder = connectAttempts.get(result);
        (adder != null ? adder : connectAttempts.get(INVALID)).increment();
    }

    public void authzDenied(AuthzAction action) {
        denials.get(action).increment();
        if (action == AuthzAction.PUBLISH) {
            publishDenied.increment();
        }
    }

    /** One decision of the authentication chain and how long it took (brute-force delay included). */
    public void authDecision(String manager, String realm, String result, long nanos) {
        String m = manager == null ? "none" : manager;
        String r = realm == null ? "none" : realm;
        String key = m + '\u0000' + r + '\u0000' + result;
        Timer timer = authTimers.get(key);
        if (timer == null) {
            timer = authTimers.computeIfAbsent(key, k -> Timer.builder("rampart.auth.decisions")
                    .tags("manager", m, "realm", r, "result", result)
                    .description("Authentication decisions by manager, realm and result, with their latency")
                    .register(registry));
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The hook the TLS listeners report handshakes and revocation checks to. */
    public TlsObserver tlsObserver() {
        return tlsObserver;
    }

    // ------------------------------------------------------------------ reading

    /** The registry to bind further meters to. */
    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return prometheus.scrape();
    }

    /** The current values, for the {@code $SYS} topics. */
    public long messagesReceived() {
        long n = 0;
        for (LongAdder a : publishIn) {
            n += a.sum();
        }
        return n;
    }

    public long messagesSent() {
        long n = 0;
        for (LongAdder a : publishOut) {
            n += a.sum();
        }
        return n;
    }

    public long bytesReceived() {
        return bytesIn.sum();
    }

    public long bytesSent() {
        return bytesOut.sum();
    }

    public long droppedTotal() {
        long n = noSubscribers.sum() + publishDenied.sum();
        for (LongAdder a : drops) {
            n += a.sum();
        }
        return n;
    }

    /** CONNECTs accepted. */
    public long connectsAccepted() {
        return connectAttempts.get(ACCEPTED).sum();
    }

    /** CONNECTs refused, for whatever reason (credentials, permissions, unavailable realms, invalid packets). */
    public long connectsRefused() {
        long n = 0;
        for (Map.Entry<String, LongAdder> e : connectAttempts.entrySet()) {
            if (!e.getKey().equals(ACCEPTED)) {
                n += e.getValue().sum();
            }
        }
        return n;
    }

    /** CONNECTs refused for their credentials. */
    public long authenticationFailures() {
        return connectAttempts.get("bad-credentials").sum();
    }

    /** Actions refused by clients' permissions (connect, publish, subscribe, will). */
    public long authorizationDenials() {
        long n = 0;
        for (LongAdder a : denials.values()) {
            n += a.sum();
        }
        return n;
    }

    /** TLS handshakes that failed on any listener. */
    public long tlsHandshakeFailures() {
        return tlsObserver.failures();
    }

    public SessionStats.Snapshot sessionSnapshot() {
        return sessionStats == null ? SessionStats.Snapshot.EMPTY : sessionStats.snapshot();
    }

    /** Stops the push (after a last one) and releases the JVM listeners. */
    @Override
    public void close() {
        gcMetrics.close();
        if (influx != null) {
            influx.close();
        }
        registry.close();
    }
}
