package io.rampart.server.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import io.rampart.core.BrokerCore;
import io.rampart.core.ClientIdOwnership;
import io.rampart.core.MqttLimits;
import io.rampart.core.QueueOverflowPolicy;
import io.rampart.security.limits.IdentityLimits;
import io.rampart.server.events.BrokerEvents;
import io.rampart.server.limit.ConnectionAdmission;
import io.rampart.server.metrics.BrokerMetrics;
import io.rampart.server.metrics.PacketCounter;
import io.rampart.server.metrics.TrafficCounter;
import io.rampart.server.protocol.ListenerContext;
import io.rampart.server.protocol.MqttConnection;
import io.rampart.server.security.AccessLog;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Runs one fuzz input against a listener's real channel pipeline, built by {@link MqttChannelInitializer} on
 * embedded channels that share one mock clock, behind a {@link ScriptGate} and in front of a fresh
 * {@link BrokerCore}. The input is a small script, so that the fuzzer can drive several connections, time
 * and the gate, not just one byte stream:
 *
 * <pre>
 *   byte 0     setup: bits 0-1 limits ({@link #limits}), bit 2 the gate answers only at a time step or at the
 *              end, bit 3 the gate cycles through accept / not authorized / bad credentials / unavailable,
 *              bit 4 restricted permissions with identity limits whose credential has expired, bit 5 a denied
 *              PUBLISH disconnects, bit 6 JSON event lines, bit 7 JSON access-log lines
 *   then ops:
 *   0x00-0x7F  the next (op + 1) bytes arrive on the current connection as one read (the rest of the input
 *              if shorter); while the connection does not read (reading paused for the gate) they wait, as
 *              they would in the socket
 *   0x80-0x83  make connection (op &amp; 3) current, opening it if it is not open (again, after a close);
 *              WebSocket listeners: the harness sends a valid upgrade request on a new connection first
 *   0x84-0x87  the client closes connection (op &amp; 3)
 *   0x88-0x8B  as 0x80-0x83 but without the upgrade request (the script sends its own HTTP)
 *   0x8C-0x8F  the broker shuts connection (op &amp; 3) down, as at broker shutdown
 *   0x90-0xBF  make connection (op &amp; 3) current
 *   0xC0-0xFF  time passes: {@link #STEPS}[op &amp; 15] seconds; with bit 4 the gate also answers what it holds
 * </pre>
 *
 * At the end the gate answers, 90 s pass (connect timeouts, keep alives of up to 60 s), every connection is
 * closed, time runs on past every will delay and session expiry, and then every buffer must have been released.
 * On TCP listeners each byte the broker writes is decoded again as a client would, and must be a well-formed MQTT
 * packet.
 */
final class ListenerScript {

    /** Seconds of each time step. */
    static final long[] STEPS = {0, 1, 2, 3, 5, 10, 15, 30, 45, 60, 90, 120, 300, 3_600, 86_400, 4_294_967_296L};
    static final String WS_PATH = "/mqtt";
    private static final byte[] UPGRADE = ("GET " + WS_PATH + " HTTP/1.1\r\nHost: broker\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Protocol: mqtt\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    private static final AttributeKey<MqttVersion> MQTT_VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");
    private static final int CONNECTIONS = 4;
    /** How deep an embedded channel's own calls are nested; while positive it does not run pending tasks. */
    private static final Field EXECUTING;

    static {
        try {
            EXECUTING = EmbeddedChannel.class.getDeclaredField("executingStackCnt");
            EXECUTING.setAccessible(true);
        } catch (NoSuchFieldException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * How far the mock clock goes (about 146 years): beyond the longest session expiry, and far enough from
     * the end of the nanosecond range that a timer set at the end (now + 2^32 s) still has a valid deadline.
     */
    private static final long MAX_ELAPSED_NANOS = 1L << 62;
    /** Time that passes after the script, before the connections close: connect timeouts, keep alives of up to 60 s. */
    private static final long END_OF_KEEP_ALIVES_SECONDS = 90;
    /** Rounds of running tasks until the connections are quiet; each round may wake another connection. */
    private static final int SETTLE_ROUNDS = 32;

    /**
     * The tight profile's listener limits: publish and delivery rates with small bursts, a maximum packet size below
     * the broker's, and a disconnect after 10 s over the publish rates.
     */
    private static final IdentityLimits TIGHT_LISTENER_LIMITS = new IdentityLimits(new IdentityLimits.Rate(20, 6),
            new IdentityLimits.Rate(2_000, 600), new IdentityLimits.Rate(20, 4), new IdentityLimits.Rate(4_000, 400),
            384, Duration.ofSeconds(10));
    private static final BrokerMetrics METRICS = BrokerMetrics.prometheusOnly();
    private static final BrokerEvents PLAIN_EVENTS = new BrokerEvents(METRICS, false);
    private static final BrokerEvents JSON_EVENTS = new BrokerEvents(METRICS, true);
    private static final AccessLog PLAIN_ACCESS_LOG = new AccessLog(false, true, 1);
    private static final AccessLog JSON_ACCESS_LOG = new AccessLog(true, true, 1);
    private static final TrafficCounter TRAFFIC = new TrafficCounter(METRICS);
    private static final PacketCounter PACKETS = new PacketCounter(METRICS);
    private static final ChannelGroup CHANNELS = new DefaultChannelGroup("fuzz", ImmediateEventExecutor.INSTANCE);

    private final byte[] input;
    private final boolean webSocket;
    private final Findings findings = new Findings();
    private final TrackingAllocator allocator = new TrackingAllocator();
    private final MockTicker ticker = Ticker.newMockTicker();
    private final EmbeddedChannel clock = EmbeddedChannel.builder().ticker(ticker).build();
    private final Connection[] connections = new Connection[CONNECTIONS];
    private final ScriptGate gate;
    private final MqttChannelInitializer initializer;
    private int current;
    private int pos;
    private long elapsedNanos;

    private ListenerScript(byte[] input, boolean webSocket) {
        this.input = input;
        this.webSocket = webSocket;
        int setup = input.length == 0 ? 0 : input[0] & 0xFF;
        this.pos = 1;
        this.gate = new ScriptGate((setup & 0x04) != 0, (setup & 0x08) != 0, (setup & 0x10) != 0,
                (setup & 0x20) != 0, findings);
        MqttLimits limits = limits(setup & 0x03);
        BrokerEvents events = (setup & 0x40) != 0 ? JSON_EVENTS : PLAIN_EVENTS;
        BrokerCore core = new BrokerCore(limits, clock.eventLoop(), events);
        boolean tight = (setup & 0x03) == 1;
        IdentityLimits listenerLimits = tight ? TIGHT_LISTENER_LIMITS : IdentityLimits.NONE;
        int maxPacketSize = listenerLimits.maxPacketSize() == 0 ? limits.maxPacketSize()
                : Math.min(limits.maxPacketSize(), listenerLimits.maxPacketSize());
        ListenerContext listener = new ListenerContext("fuzz", webSocket ? "websocket" : "tcp", gate,
                (setup & 0x80) != 0 ? JSON_ACCESS_LOG : PLAIN_ACCESS_LOG, listenerLimits, maxPacketSize,
                limits.queueLimits());
        ConnectionAdmission admission = new ConnectionAdmission("fuzz", tight ? 3 : 0, null, null, events);
        this.initializer = new MqttChannelInitializer(listener, webSocket ? WS_PATH : null, null, admission, core,
                events, CHANNELS, TRAFFIC, PACKETS);
    }

    /** Runs {@code input} against a TCP listener, or a WebSocket listener on {@link #WS_PATH}. */
    static void run(byte[] input, boolean webSocket) {
        new ListenerScript(input, webSocket).run();
    }

    /**
     * The broker's limits: 0 the defaults; 1 tight limits everywhere (and on the listener 3 connections, publish and
     * delivery rates and a smaller maximum packet size); 2 MQTT
     * features switched off and no separate limit before authentication; 3 the defaults with a small queue. Profiles
     * 1 and 3 let any client take a session over; 0 and 2 keep a session to its owner.
     */
    static MqttLimits limits(int profile) {
        MqttLimits d = MqttLimits.DEFAULTS;
        return switch (profile) {
            case 1 -> new MqttLimits(512, 23, 64, 8, 4, 30, false, 4, 2, true, true, true, 4,
                    QueueOverflowPolicy.DROP_NEWEST, true, 60, 30, 5, 128, 4, ClientIdOwnership.TAKEOVER);
            case 2 -> new MqttLimits(4_096, 64, 256, 16, 16, 600, true, 0, 1, false, false, false, 16,
                    QueueOverflowPolicy.DROP_OLDEST, false, 3_600, 0, 10, 65_536, 0, ClientIdOwnership.STRICT);
            case 3 -> new MqttLimits(d.maxPacketSize(), d.maxClientIdLength(), d.maxTopicLength(), d.maxTopicLevels(),
                    d.receiveMaximum(), d.maxKeepAliveSeconds(), d.allowZeroKeepAlive(), 65_535, d.maxQos(),
                    d.retainAvailable(), d.wildcardSubscriptions(), d.sharedSubscriptions(), 1,
                    QueueOverflowPolicy.DROP_OLDEST, true, d.maxSessionExpirySeconds(), 0, d.connectTimeoutSeconds(),
                    d.maxConnectPacketSize(), d.maxSubscriptionsPerClient(), ClientIdOwnership.TAKEOVER);
            default -> d;
        };
    }

    private void run() {
        try {
            while (pos < input.length) {
                step(input[pos++] & 0xFF);
                settle();
                findings.check();
            }
            gate.completePending();
            advance(END_OF_KEEP_ALIVES_SECONDS);
            for (Connection c : connections) {
                if (c != null) {
                    c.channel.close();
                }
            }
            advance(Long.MAX_VALUE);
            for (Connection c : connections) {
                if (c != null) {
                    c.finish();
                }
            }
            clock.finishAndReleaseAll();
            int leaked = allocator.unreleased();
            if (leaked > 0) {
                findings.add(leaked + " buffer(s) never released", null);
            }
            findings.check();
        } finally {
            allocator.releaseAll();
        }
    }

    private void step(int op) {
        if (op < 0x80) {
            int n = Math.min(op + 1, input.length - pos);
            Connection c = connections[current];
            if (c != null) {
                c.receive(input, pos, n);
            }
            pos += n;
        } else if (op < 0x84) {
            open(op & 3, webSocket);
        } else if (op < 0x88) {
            Connection c = connections[op & 3];
            if (c != null) {
                c.channel.close();
            }
        } else if (op < 0x8C) {
            open(op & 3, false);
        } else if (op < 0x90) {
            Connection c = connections[op & 3];
            if (c != null && c.channel.pipeline().get(PipelineNames.MQTT_CONNECTION) instanceof ConnectionGuard g) {
                g.connection().shutdown();
            }
        } else if (op < 0xC0) {
            current = op & 3;
        } else {
            if ((op & 0x10) != 0) {
                gate.completePending();
            }
            advance(STEPS[op & 15]);
        }
    }

    private void open(int index, boolean upgrade) {
        current = index;
        Connection previous = connections[index];
        if (previous != null && previous.channel.isOpen()) {
            return;
        }
        if (previous != null) {
            previous.finish();
        }
        Connection c = new Connection();
        connections[index] = c;
        if (upgrade) {
            c.receive(UPGRADE, 0, UPGRADE.length);
        }
    }

    private void advance(long seconds) {
        long nanos = Math.min(TimeUnit.SECONDS.toNanos(seconds), MAX_ELAPSED_NANOS - elapsedNanos);
        elapsedNanos += nanos;
        ticker.advance(nanos, TimeUnit.NANOSECONDS);
        settle();
    }

    /** Runs due tasks and timers everywhere until nothing is left to do, then collects what the broker wrote. */
    private void settle() {
        for (int round = 0; round < SETTLE_ROUNDS; round++) {
            boolean busy = false;
            clock.runPendingTasks();
            try {
                clock.checkException();
            } catch (Throwable t) {
                findings.exception("broker timer", t);
            }
            busy |= clock.hasPendingTasks();
            for (Connection c : connections) {
                if (c != null) {
                    busy |= c.settle();
                }
            }
            if (!busy) {
                break;
            }
        }
        for (Connection c : connections) {
            if (c != null) {
                c.drainOutbound();
            }
        }
    }

    /** One client connection: the broker's channel and, on TCP, a client-side decoder for what it writes. */
    private final class Connection {
        final EmbeddedChannel channel;
        final EmbeddedChannel client = webSocket ? null : new EmbeddedChannel(new MqttDecoder(MqttLimits.MQTT_MAX_PACKET_SIZE, 65_535));
        /** Bytes the client sent while the broker was not reading. */
        final ArrayDeque<ByteBuf> unread = new ArrayDeque<>();
        /** The connection handler's stand-in, or {@code null} when the listener refused the connection outright. */
        ConnectionGuard guard;

        Connection() {
            channel = EmbeddedChannel.builder().ticker(ticker).handlers(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.config().setAllocator(allocator);
                    initializer.initChannel(ch);
                    ChannelHandler handler = ch.pipeline().get(PipelineNames.MQTT_CONNECTION);
                    if (handler instanceof MqttConnection connection) {
                        guard = new ConnectionGuard(connection, findings);
                        ch.pipeline().replace(handler, PipelineNames.MQTT_CONNECTION, guard);
                    }
                    if (client != null && guard != null) {
                        ch.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
                            @Override
                            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                                if (msg instanceof ByteBuf bytes) {
                                    decodeAsClient(bytes.retainedDuplicate());
                                }
                                ctx.write(msg, promise);
                            }
                        });
                    }
                }
            }).build();
        }

        /**
         * Decodes what the broker writes, as it leaves the pipeline, in the protocol version the broker encoded it
         * with. Not checked while a client that is past its first CONNECT is in the middle of sending another of
         * a different protocol level: the codec has taken that level and the client, which broke the protocol,
         * gets its answers in it until the broker refuses that CONNECT.
         */
        private void decodeAsClient(ByteBuf bytes) {
            MqttVersion version = channel.attr(MQTT_VERSION).get();
            if (guard.sessionVersion() != null && version != guard.sessionVersion()) {
                bytes.release();
                return;
            }
            client.attr(MQTT_VERSION).set(version);
            client.writeInbound(bytes);
            Object packet;
            while ((packet = client.readInbound()) != null) {
                if (packet instanceof MqttMessage m && m.decoderResult().isFailure()) {
                    findings.add("the broker wrote a packet a client cannot decode: " + m.decoderResult().cause(),
                            m.decoderResult().cause());
                }
                ReferenceCountUtil.release(packet);
            }
        }

        void receive(byte[] bytes, int offset, int length) {
            if (!channel.isOpen()) {
                return;
            }
            unread.add(allocator.buffer(length).writeBytes(bytes, offset, length));
            deliver();
        }

        private void deliver() {
            while (!unread.isEmpty() && channel.isOpen() && channel.config().isAutoRead()) {
                ByteBuf next = unread.poll();
                guarded(() -> channel.writeInbound(next));
            }
        }

        /** Runs this connection's tasks; whether more work is pending. */
        boolean settle() {
            guarded(channel::runPendingTasks);
            deliver();
            check();
            return channel.hasPendingTasks() || (!unread.isEmpty() && channel.isOpen() && channel.config().isAutoRead());
        }

        void drainOutbound() {
            Object out;
            while ((out = channel.readOutbound()) != null) {
                ReferenceCountUtil.release(out);
            }
        }

        private void check() {
            try {
                channel.checkException();
            } catch (Throwable t) {
                findings.exception("channel", t);
            }
        }

        /**
         * Runs {@code action} the way an event loop would: a task that writes does not run the other pending tasks
         * in the middle of its write. An embedded channel does that when nothing of its own is on the stack, which
         * would put, say, a keep-alive DISCONNECT between a PUBLISH header and its payload.
         */
        private void guarded(Runnable action) {
            try {
                EXECUTING.setInt(channel, EXECUTING.getInt(channel) + 1);
                try {
                    action.run();
                } finally {
                    EXECUTING.setInt(channel, EXECUTING.getInt(channel) - 1);
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }

        void finish() {
            drainOutbound();
            check();
            unread.forEach(ReferenceCountUtil::release);
            unread.clear();
            channel.finishAndReleaseAll();
            if (client != null) {
                client.finishAndReleaseAll();
            }
        }
    }
}
