package io.rampart.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLEngine;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A reconnect storm: {@code clients} TLS connections are opened (64 handshakes at a time) and held; then all of them
 * drop at once (closed without DISCONNECT, as when a network link fails) and reconnect at once. Meanwhile probe
 * clients that stay connected publish QoS 0 messages at a fixed rate to one subscriber (their end-to-end latency
 * before and during the storm), and a side client connects and disconnects again and again, one at a time, on
 * another listener (its CONNECT-to-CONNACK time before and during: whether a storm on one listener starves another).
 * With {@code resume} the storm clients offer the TLS session of an earlier handshake.
 */
public final class StormRun {

    private static final int BATCH = 64;
    private static final long CONNECT_TIMEOUT_SECONDS = 60;

    /**
     * @param host         broker host
     * @param port         the TLS listener of the storm
     * @param tls          TLS of the storm clients
     * @param resume       whether storm clients resume TLS sessions (client session cache by host and port)
     * @param clients      storm connections
     * @param probePort    listener of the probe publishers and subscriber (plain TCP)
     * @param probePairs   probe publishers
     * @param probeRate    messages per second per probe publisher
     * @param sidePort     listener of the side connect loop (plain TCP), 0 = none
     * @param beforeSeconds how long the latencies are measured before the storm
     * @param prefix       client id prefix
     * @param maxPending   reconnects of the storm whose CONNACK has not arrived yet, at most; 0 = no bound (every
     *                     client reconnects at once). The generator runs all storm clients on one thread: without a
     *                     bound, under load it reads the broker's handshake answers late (their bytes wait in its
     *                     sockets' receive queues), and a broker with a handshake timeout closes those connections
     */
    public record Settings(String host, int port, ClientTls tls, boolean resume, int clients, int probePort,
                           int probePairs, int probeRate, int sidePort, int beforeSeconds, String prefix,
                           int maxPending) {
    }

    private final Settings s;
    private final Recorder probeLatency = new Recorder(3);
    private final Recorder sideLatency = new Recorder(3);
    private final AtomicLong probeSent = new AtomicLong();
    private final AtomicLong probeReceived = new AtomicLong();
    private final AtomicInteger resumed = new AtomicInteger();
    private final AtomicInteger fullHandshakes = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final Map<String, LongAdder> failureCauses = new ConcurrentHashMap<>();
    private volatile boolean sideRunning = true;

    public StormRun(Settings settings) {
        this.s = settings;
    }

    /** Runs the storm and prints one result line (markdown table row) to {@code out}; returns the exit code. */
    public int run(PrintStream out) throws Exception {
        try (Transport plain = new Transport(1); Transport secure = new Transport(1, s.tls())) {
            Bootstrap probeBoot = plain.bootstrap(s.host(), s.probePort(), null);
            Bootstrap stormBoot = secure.bootstrap(s.host(), s.port(), null);
            SslContext ssl = stormBoot.config().attrs().get(ClientPipeline.TLS) instanceof SslContext c ? c : null;
            if (ssl == null) {
                throw new IllegalStateException("the storm needs TLS");
            }
            List<Channel> probes = startProbe(probeBoot);
            Thread side = s.sidePort() == 0 ? null : startSide(plain.bootstrap(s.host(), s.sidePort(), null));

            List<StormClient> storm = new ArrayList<>();
            for (int from = 0; from < s.clients(); from += BATCH) {
                List<StormClient> batch = new ArrayList<>();
                for (int i = from; i < Math.min(s.clients(), from + BATCH); i++) {
                    StormClient c = new StormClient(s.prefix() + "storm" + i);
                    c.connect(stormBoot, ssl);
                    batch.add(c);
                }
                CompletableFuture.allOf(batch.stream().map(c -> c.ready).toArray(CompletableFuture[]::new))
                        .get(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                storm.addAll(batch);
            }
            int primedFull = fullHandshakes.getAndSet(0);
            resumed.set(0);
            System.err.println("storm: " + storm.size() + " connected (" + primedFull + " full handshakes); measuring "
                    + s.beforeSeconds() + " s before the storm");
            probeLatency.getIntervalHistogram();
            sideLatency.getIntervalHistogram();
            Thread.sleep(TimeUnit.SECONDS.toMillis(s.beforeSeconds()));
            Histogram probeBefore = probeLatency.getIntervalHistogram();
            Histogram sideBefore = sideLatency.getIntervalHistogram();

            // The storm: every connection drops, then every client reconnects at once.
            CountDownLatch closed = new CountDownLatch(storm.size());
            for (StormClient c : storm) {
                c.channel.close().addListener(f -> closed.countDown());
            }
            closed.await(60, TimeUnit.SECONDS);
            long start = System.nanoTime();
            List<CompletableFuture<Void>> again = new ArrayList<>(storm.size());
            java.util.concurrent.Semaphore pending = new java.util.concurrent.Semaphore(
                    s.maxPending() > 0 ? s.maxPending() : Integer.MAX_VALUE);
            for (StormClient c : storm) {
                if (s.maxPending() > 0 && !pending.tryAcquire(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("no reconnect of the storm completed within "
                            + CONNECT_TIMEOUT_SECONDS + " s");
                }
                CompletableFuture<Void> f = c.reconnect(stormBoot, ssl);
                if (s.maxPending() > 0) {
                    f.whenComplete((v, e) -> pending.release());
                }
                again.add(f);
            }
            for (CompletableFuture<Void> f : again) {
                try {
                    f.get(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                } catch (Exception e) {
                    failed.incrementAndGet();
                    countFailure(e);
                }
            }
            double stormSeconds = (System.nanoTime() - start) / 1e9;
            printFailureCauses();
            Histogram probeDuring = probeLatency.getIntervalHistogram();
            Histogram sideDuring = sideLatency.getIntervalHistogram();
            sideRunning = false;
            if (side != null) {
                side.join(10_000);
            }
            for (StormClient c : storm) {
                if (c.channel != null) {
                    c.channel.close();
                }
            }
            // What the probe publishers sent and the subscriber did not receive, the whole run (in flight: 2 s).
            probes.subList(1, probes.size()).forEach(Channel::close);
            Thread.sleep(2_000);
            long lost = probeSent.get() - probeReceived.get();
            probes.get(0).close();
            int ok = storm.size() - failed.get();
            out.printf(Locale.ROOT, "| %s | %d | %d | %d | %d | %.2f | %.0f | %s | %s | %d of %d | %s | %s |%n",
                    s.resume() ? "resumed" : "full", storm.size(), resumed.get(), fullHandshakes.get(), failed.get(),
                    stormSeconds, ok / stormSeconds, ms(probeBefore, 99), ms(probeDuring, 99), lost, probeSent.get(),
                    s.sidePort() == 0 ? "n/a" : ms(sideBefore, 99) + " / " + sideBefore.getTotalCount(),
                    s.sidePort() == 0 ? "n/a" : ms(sideDuring, 99) + " / " + sideDuring.getTotalCount());
            return failed.get() == 0 ? 0 : 1;
        }
    }

    /** The header of the rows {@link #run} prints. */
    public static void header(PrintStream out) {
        out.println("| handshakes offered | clients | resumed | full | failed | storm s | reconnects/s "
                + "| probe p99 ms before | probe p99 ms during | probe messages lost "
                + "| side connect p99 ms / count before | side connect p99 ms / count during |");
        out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    }

    private static String ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? "none"
                : String.format(Locale.ROOT, "%.2f", h.getValueAtPercentile(percentile) / 1e6);
    }

    /** Counts a failed reconnect by the stage it failed in and the cause's type and message. */
    private void countFailure(Throwable e) {
        Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
        String message = cause.getMessage() == null ? "" : cause.getMessage().lines().findFirst().orElse("");
        String key = cause instanceof java.util.concurrent.TimeoutException
                ? "no CONNACK within " + CONNECT_TIMEOUT_SECONDS + " s"
                : cause.getClass().getSimpleName() + ": " + message.replaceAll("[0-9.]+:[0-9]+", "<address>");
        failureCauses.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    private void printFailureCauses() {
        Map<String, Long> sorted = new TreeMap<>();
        failureCauses.forEach((k, v) -> sorted.put(k, v.sum()));
        sorted.forEach((cause, n) -> System.err.println("storm: " + n + " reconnects failed: " + cause));
    }

    // ------------------------------------------------------------------ probe

    private List<Channel> startProbe(Bootstrap boot) throws Exception {
        List<Channel> channels = new ArrayList<>();
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        channels.add(open(boot, new ProbeClient(s.prefix() + "probe-sub", ctx -> {
            ctx.writeAndFlush(Packets.subscribe("storm-probe/#", MqttQoS.AT_MOST_ONCE, 1));
        }, subscribed)));
        subscribed.get(30, TimeUnit.SECONDS);
        long periodNanos = TimeUnit.SECONDS.toNanos(1) / s.probeRate();
        for (int i = 0; i < s.probePairs(); i++) {
            String topic = "storm-probe/" + i;
            CompletableFuture<Void> up = new CompletableFuture<>();
            channels.add(open(boot, new ProbeClient(s.prefix() + "probe-pub" + i, ctx -> {
                ctx.executor().scheduleAtFixedRate(() -> {
                    if (!ctx.channel().isActive()) {
                        return;
                    }
                    ByteBuf payload = Unpooled.buffer(16).writeLong(System.nanoTime()).writeLong(0);
                    probeSent.incrementAndGet();
                    ctx.writeAndFlush(new MqttPublishMessage(Packets.PUBLISH_QOS0,
                            new MqttPublishVariableHeader(topic, 0), payload), ctx.voidPromise());
                }, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
                up.complete(null);
            }, null)));
            up.get(30, TimeUnit.SECONDS);
        }
        return channels;
    }

    private static Channel open(Bootstrap boot, ChannelInboundHandlerAdapter handler) throws InterruptedException {
        return boot.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new MqttDecoder(4096), MqttEncoder.INSTANCE, handler);
            }
        }).connect().sync().channel();
    }

    /** A probe connection: CONNECT, then {@code onConnack}; a subscriber records the latency of what it receives. */
    private final class ProbeClient extends ChannelInboundHandlerAdapter {
        private final String clientId;
        private final java.util.function.Consumer<ChannelHandlerContext> onConnack;
        private final CompletableFuture<Void> subscribed;

        ProbeClient(String clientId, java.util.function.Consumer<ChannelHandlerContext> onConnack,
                    CompletableFuture<Void> subscribed) {
            this.clientId = clientId;
            this.onConnack = onConnack;
            this.subscribed = subscribed;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(Packets.connect(clientId, MqttVersion.MQTT_3_1_1, Login.NONE));
            ctx.executor().scheduleAtFixedRate(() -> ctx.writeAndFlush(Packets.PINGREQ, ctx.voidPromise()),
                    20, 20, TimeUnit.SECONDS);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                MqttMessage m = (MqttMessage) msg;
                MqttMessageType type = m.fixedHeader().messageType();
                if (type == MqttMessageType.CONNACK) {
                    onConnack.accept(ctx);
                } else if (type == MqttMessageType.SUBACK && subscribed != null) {
                    subscribed.complete(null);
                } else if (type == MqttMessageType.PUBLISH) {
                    ByteBuf p = ((MqttPublishMessage) m).payload();
                    probeReceived.incrementAndGet();
                    probeLatency.recordValue(LatencyRecorders.clamp(System.nanoTime() - p.getLong(p.readerIndex())));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    // ------------------------------------------------------------------ side connects

    private Thread startSide(Bootstrap boot) {
        Thread t = new Thread(() -> {
            int n = 0;
            while (sideRunning) {
                CompletableFuture<Void> acked = new CompletableFuture<>();
                long start = System.nanoTime();
                String id = s.prefix() + "side" + n++;
                try {
                    Channel ch = open(boot, new ProbeClient(id, ctx -> {
                        acked.complete(null);
                        ctx.writeAndFlush(Packets.DISCONNECT).addListener(f -> ctx.close());
                    }, null));
                    acked.get(60, TimeUnit.SECONDS);
                    sideLatency.recordValue(LatencyRecorders.clamp(System.nanoTime() - start));
                    ch.closeFuture().await(10, TimeUnit.SECONDS);
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    System.err.println("side connect failed: " + e);
                }
            }
        }, "side-connects");
        t.setDaemon(true);
        t.start();
        return t;
    }

    // ------------------------------------------------------------------ storm clients

    private static final Method IS_SESSION_REUSED = sessionReused();

    private static Method sessionReused() {
        try {
            Method m = Class.forName("io.netty.handler.ssl.ReferenceCountedOpenSslEngine", false,
                            StormRun.class.getClassLoader())
                    .getDeclaredMethod("isSessionReused");
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** One storm client: its connection, opened again by {@link #reconnect}. */
    private final class StormClient {
        private final String clientId;
        private volatile Channel channel;
        private CompletableFuture<Void> ready = new CompletableFuture<>();

        StormClient(String clientId) {
            this.clientId = clientId;
        }

        CompletableFuture<Void> reconnect(Bootstrap boot, SslContext ssl) {
            ready = new CompletableFuture<>();
            connect(boot, ssl);
            return ready;
        }

        void connect(Bootstrap boot, SslContext ssl) {
            CompletableFuture<Void> r = ready;
            boot.clone().handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    channel = ch;
                    SslHandler h = s.resume() ? ssl.newHandler(ch.alloc(), s.host(), s.port()) : ssl.newHandler(ch.alloc());
                    h.setHandshakeTimeout(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    ch.pipeline().addLast(h, new MqttDecoder(4096), MqttEncoder.INSTANCE, new Connection(clientId, r));
                }
            }).connect().addListener(f -> {
                if (!f.isSuccess()) {
                    r.completeExceptionally(f.cause());
                }
            });
        }
    }

    /** One storm connection: TLS, CONNECT, CONNACK, pings; it counts whether its handshake resumed a session. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        private final String clientId;
        private final CompletableFuture<Void> ready;
        private boolean handshaken;

        Connection(String clientId, CompletableFuture<Void> ready) {
            this.clientId = clientId;
            this.ready = ready;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.executor().scheduleAtFixedRate(() -> ctx.writeAndFlush(Packets.PINGREQ, ctx.voidPromise()),
                    30, 30, TimeUnit.SECONDS);
            ctx.fireChannelActive();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent done) {
                if (!done.isSuccess()) {
                    ready.completeExceptionally(done.cause());
                    ctx.close();
                    return;
                }
                SSLEngine engine = ctx.pipeline().get(SslHandler.class).engine();
                boolean reused;
                try {
                    reused = IS_SESSION_REUSED != null && IS_SESSION_REUSED.getDeclaringClass().isInstance(engine)
                            && (Boolean) IS_SESSION_REUSED.invoke(engine);
                } catch (ReflectiveOperationException e) {
                    reused = false;
                }
                (reused ? resumed : fullHandshakes).incrementAndGet();
                handshaken = true;
                ctx.writeAndFlush(Packets.connect(clientId, MqttVersion.MQTT_3_1_1, Login.NONE));
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof MqttConnAckMessage ack) {
                    if (ack.variableHeader().connectReturnCode() == MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                        ready.complete(null);
                    } else {
                        ready.completeExceptionally(new IllegalStateException("CONNACK "
                                + ack.variableHeader().connectReturnCode()));
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ready.completeExceptionally(new IllegalStateException(handshaken
                    ? "closed after the TLS handshake, before CONNACK" : "closed before the TLS handshake completed"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ready.completeExceptionally(cause);
            ctx.close();
        }
    }
}
