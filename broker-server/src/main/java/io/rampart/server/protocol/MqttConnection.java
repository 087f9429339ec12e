package io.rampart.server.protocol;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.rampart.core.BrokerCore;
import io.rampart.core.MqttLimits;
import io.rampart.core.session.Session;
import io.rampart.core.session.SessionOutput;
import io.rampart.server.events.BrokerEvents;
import io.rampart.security.limits.IdentityLimits;
import io.rampart.security.limits.LimitsSyntax;
import io.rampart.server.gate.ClientPermissions;
import io.rampart.server.gate.ConnectDecision;
import io.rampart.server.metrics.CloseReason;
import io.rampart.server.observe.PacketSink;
import io.rampart.server.observe.PacketTap;
import io.rampart.server.observe.TapSubject;
import io.rampart.server.pipeline.LingeringClose;
import io.rampart.server.pipeline.PipelineNames;
import io.rampart.server.pipeline.PreAuthLimit;
import io.rampart.tls.ClientCertificates;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The MQTT protocol state machine of one connection. Lives on the channel's event loop; the only entry
 * points from other threads are {@link #wakeup()} and {@link #takenOver()}, which hop onto the loop.
 *
 * <p>This class owns the connection's lifecycle and its mutable state; the helpers never reach into it.
 * CONNECT is handled by {@link ConnectProcessor}, which hands back the {@link Admission} (the immutable result
 * of CONNECT). From then on {@link InboundPublishes} (PUBLISH, PUBREL), {@link Subscriptions} (SUBSCRIBE,
 * UNSUBSCRIBE) and {@link EnhancedAuth} (AUTH, credential expiry) receive the admission with each packet, and
 * {@link OutboundFlow} writes the session's messages to the client within its delivery rates. Over its publish rates
 * ({@link PublishThrottle}) the client is held back: the connection stops reading and keeps what was already read
 * until the rates allow more.
 */
public final class MqttConnection extends ChannelInboundHandlerAdapter implements SessionOutput, DeadlineSweep.Member {

    private static final Logger LOG = LogManager.getLogger(MqttConnection.class);

    private enum State { AWAIT_CONNECT, AUTHENTICATING, CONNECTED, CLOSED }

    /** Reading is held while the gate decides a CONNECT. */
    static final int HOLD_AUTHENTICATING = 1;
    /** Reading is held while the client is over its publish rates. */
    static final int HOLD_PUBLISH_RATE = 2;
    /** Reading is held while the memory budget is short and the client feeds one of the fullest queues. */
    static final int HOLD_MEMORY = 4;
    /** The shortest hold for the publish rates. */
    private static final long MIN_HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final ListenerContext listener;
    private final BrokerCore core;
    private final MqttLimits limits;
    private final BrokerEvents events;
    private final DeadlineSweep deadlines;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drain;
    /** Told by the router when a PUBLISH of this client went into one of the fullest queues under back-pressure. */
    private final Runnable feedsFullest = this::holdForMemory;
    /** Handed to the memory budget while reading is held for it: wakes the connection once there is room. */
    private final Runnable memoryRoom = this::memoryRoomAgain;

    private ChannelHandlerContext ctx;
    private ConnectProcessor connectProcessor;
    private State state = State.AWAIT_CONNECT;
    /** The CONNECT being decided (and, once admitted, the one in force); {@code null} before CONNECT. */
    private ConnectAttempt attempt;
    /**
     * What CONNACK admitted; {@code null} before. Replaced as a whole by an MQTT 5 re-authentication and when a realm
     * change alters the identity's limits.
     */
    private Admission admission;
    /** Created by the first packet that needs them: an idle client never does. */
    private InboundPublishes publishes;
    private Subscriptions subscriptions;
    private OutboundFlow outbound;
    /** Created by the first AUTH packet or when the admitted credentials expire. */
    private EnhancedAuth enhancedAuth;
    private boolean discardWill;
    private boolean closing;
    private String closeReason;
    /** Why the connection ends (metrics, event log); {@code null} until known: then the network dropped it. */
    private CloseReason closeHow;
    private int closeCode = -1;
    /** This connection's slot in {@link #deadlines}, -1 while it has no deadline. */
    private int sweepSlot = -1;
    /**
     * Until CONNACK: when the connect timeout passes. After it, with a keep alive: when the sweep last saw the client
     * send (or its reading held); in nanoseconds of the event loop's ticker.
     */
    private long deadlineBase;
    /** One and a half times the keep alive, in nanoseconds; 0 before CONNACK and without a keep alive. */
    private long keepAliveNanos;
    /** Whether a packet arrived since the sweep last looked. */
    private boolean readSinceSweep;
    /**
     * Packets that arrived while the connection was held: pipelined behind CONNECT (MQTT 5 §3.1.4) while the gate
     * decides, or decoded from the same read as a PUBLISH that put the client over its publish rates or after which
     * reading stopped for the memory budget. Processed in order once no hold is left; bounded by one read, as the
     * socket is not read meanwhile.
     */
    private ArrayDeque<Object> held;
    /** Why the socket is not read: {@code HOLD_*} bits; read while none is set. */
    private int readHolds;
    private boolean heldForMemoryBefore;
    /** The client's publish rates, or {@code null} when it has none. */
    private PublishThrottle throttle;
    /** Ends the current hold for the publish rates; {@code null} while the client is not held back. */
    private ScheduledFuture<?> throttleRelease;
    private boolean throttledBefore;
    /** The largest packet the client may send when it is below what the decoder already refuses, else 0. */
    private int packetLimit;
    /** The clock, read once per read of the socket for the publish rates; 0 until the read's first PUBLISH. */
    private long readNanos;
    /** What operators may see of this connection, fixed at CONNACK; {@code null} before. */
    private volatile ConnectionInfo info;
    /** The packet tap in this connection's pipeline while some {@link PacketTap} wants it, else {@code null}. */
    private TapHandler tap;

    /** @param deadlines the listener's connect timeouts and keep alives */
    public MqttConnection(ListenerContext listener, BrokerCore core, BrokerEvents events, DeadlineSweep deadlines) {
        this.listener = listener;
        this.core = core;
        this.limits = core.limits();
        this.events = events;
        this.deadlines = deadlines;
    }

    // ------------------------------------------------------------------ CONNECT outcome

    /** The CONNECT passed the protocol checks; the gate decides now. */
    void authenticating(ConnectAttempt connect) {
        attempt = connect;
        state = State.AUTHENTICATING;
    }

    /** Whether the gate is deciding (a refusal now is an authentication failure). */
    boolean isAuthenticating() {
        return state == State.AUTHENTICATING;
    }

    /** The gate answered the CONNECT (it may still be refused for other reasons). */
    void decided(ConnectDecision decision) {
        if (tap != null) {
            tap.decided(decision);
        }
    }

    /** The CONNECT was refused for {@code reason}; the refusal is being written. */
    void refused(CloseReason how, String reason) {
        closeHow = how;
        state = State.CLOSED;
        if (tap != null) {
            tap.refused(reason);
        }
    }

    /**
     * The CONNECT was accepted and the session bound: answers CONNACK with {@code connackProperties}, arms the
     * keep alive and the credential expiry, resends what was in flight and reads on.
     */
    void admit(Admission admitted, MqttProperties connackProperties) {
        admission = admitted;
        state = State.CONNECTED;
        if (tap != null) {
            tap.admitted(admitted);
        }
        outbound = new OutboundFlow(ctx, events, listener.name(), admitted, drainTask);
        throttle = PublishThrottle.of(admitted.limits(), System.nanoTime());
        packetLimit = admitted.maxPacketSize() < listener.maxPacketSize() ? admitted.maxPacketSize() : 0;
        PreAuthLimit.lift(ctx.pipeline());
        admitted.permissions().attach(new ClientPermissions.LiveSession() {
            @Override
            public void disconnect(int reasonCode, String reason) {
                disconnectFromOutside(reasonCode, reason);
            }

            @Override
            public void limitsChanged() {
                ctx.executor().execute(MqttConnection.this::applyLimits);
            }
        });
        ctx.write(Replies.connack(0, admitted.sessionPresent(), connackProperties));
        if (admitted.permissions().expiresAt() != null) {
            enhancedAuth().scheduleExpiry(admitted);
        }
        connectProcessor = null; // only CONNECT needs it
        ConnectAttempt connect = admitted.connect();
        int keepAlive = connect.effectiveKeepAlive();
        if (keepAlive > 0) {
            keepAliveNanos = TimeUnit.MILLISECONDS.toNanos(keepAlive * 1500L);
            deadlineBase = ctx.executor().ticker().nanoTime();
        } else {
            deadlines.leave(ctx.executor(), this);
        }
        info = new ConnectionInfo(listener.name(), ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a : null,
                connect.protocolVersion(), connect.username(), Instant.now(), keepAlive, connect.cleanStart(),
                ctx.channel().attr(ClientCertificates.VARIABLES).get(), admitted.decision().identity(),
                admitted.manager(), admitted.realm(), admitted.permissions().roles(), admitted.limits(),
                admitted.maxPacketSize());
        events.clientConnected(listener.name(), ctx.channel(), connect.clientId(), connect.username(),
                connect.protocolVersion(), connect.cleanStart(), connect.grantedExpiry(), keepAlive,
                admitted.sessionPresent());
        outbound.resendInflight();
        drain();
        ctx.flush();
        endHold(HOLD_AUTHENTICATING);
    }

    /** The admission in force while the connection is admitted, else {@code null} (refused, closed). */
    Admission admission() {
        return state == State.CONNECTED ? admission : null;
    }

    /** An MQTT 5 re-authentication succeeded: the new decision (identity, manager, realm) is in force from now on. */
    void reauthenticated(ConnectDecision decision) {
        admission = admission.reauthenticated(decision);
    }

    /** Closes the session from another thread, e.g. when its user was removed from the realm. */
    void disconnectFromOutside(int reasonCode, String reason) {
        ctx.executor().execute(() -> disconnect(reasonCode, reason));
    }

    // ------------------------------------------------------------------ reading

    /** Stops reading from the socket for {@code reason} (a {@code HOLD_*} bit) until {@link #endHold}. */
    void holdReading(int reason) {
        if (readHolds == 0) {
            ctx.channel().config().setAutoRead(false);
        }
        readHolds |= reason;
    }

    /**
     * Ends the hold for {@code reason}: once no hold is left, the packets read meanwhile are processed and the socket
     * is read again, unless one of them started a new hold.
     */
    private void endHold(int reason) {
        readHolds &= ~reason;
        if (readHolds != 0 || state != State.CONNECTED || closing) {
            return;
        }
        replayHeldPackets();
        if (readHolds == 0 && !closing) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /**
     * The memory budget is short and this client feeds one of the fullest queues: its socket is not read until the
     * budget has room again (what was already decoded waits in {@link #held}).
     */
    private void holdForMemory() {
        if ((readHolds & HOLD_MEMORY) != 0 || closing || state != State.CONNECTED) {
            return;
        }
        holdReading(HOLD_MEMORY);
        events.memoryHold(listener.name(), admission.clientId(), true, !heldForMemoryBefore);
        heldForMemoryBefore = true;
        core.budget().whenRoom(memoryRoom);
    }

    /** Called by the memory budget, on whichever thread gave room back. */
    private void memoryRoomAgain() {
        ctx.executor().execute(this::releaseMemoryHold);
    }

    /** The memory budget has room again: the held packets are processed and reading resumes. */
    private void releaseMemoryHold() {
        if ((readHolds & HOLD_MEMORY) == 0) {
            return;
        }
        events.memoryHold(listener.name(), admission.clientId(), false, false);
        endHold(HOLD_MEMORY);
    }

    /**
     * A QoS 1/2 PUBLISH of an MQTT 3 client did not fit into the memory budget: it is kept and processed again, before
     * anything read after it, once the budget has room; meanwhile the socket is not read and nothing is acknowledged.
     */
    private void holdUntilRoom(MqttPublishMessage refused) {
        if (held == null) {
            held = new ArrayDeque<>();
        }
        held.addFirst(refused.retain());
        holdForMemory();
    }

    /** What operators may see of this connection, or {@code null} before CONNACK. */
    public ConnectionInfo info() {
        return info;
    }

    /**
     * An operator closes this connection (MQTT 5: DISCONNECT 0x98 Administrative action with {@code reason}).
     * Completes when the connection has closed, with {@code false} when it was not (or no longer) connected.
     */
    public CompletableFuture<Boolean> disconnectByAdministrator(String reason) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        ctx.executor().execute(() -> {
            if (state != State.CONNECTED || closing) {
                done.complete(false);
                return;
            }
            disconnect(ReasonCodes.ADMINISTRATIVE_ACTION, reason);
            // One more hop: the close listener runs before channelInactive has detached the session.
            ctx.channel().closeFuture().addListener(f -> ctx.executor().execute(() -> done.complete(true)));
        });
        return done;
    }

    /**
     * The identity's limits may have changed (a realm change, a re-authentication): the strictest of the listener's
     * and the identity's rates apply from now on, with full buckets, and the session queue takes the new slow-consumer
     * policy (a queue already longer than a new bound overflows on its next message). The maximum packet size stays
     * as CONNACK said.
     */
    private void applyLimits() {
        if (state != State.CONNECTED) {
            return;
        }
        IdentityLimits limits = listener.limits().strictest(admission.permissions().limits());
        if (limits.equals(admission.limits())) {
            return;
        }
        admission = admission.withLimits(limits);
        info = info.withLimits(limits);
        long now = System.nanoTime();
        throttle = PublishThrottle.of(limits, now);
        outbound.limits(limits, now);
        admission.session().setQueueLimits(listener.queueLimitsFor(limits));
        if (throttleRelease != null) {
            throttleRelease.cancel(false);
            releaseThrottle();
        }
        drain();
    }

    /** A PUBLISH of {@code bytes} spends from the client's publish rates; over them, reading stops until they allow more. */
    private void spendPublishRate(int bytes) {
        long now = readNanos;
        if (now == 0) {
            now = System.nanoTime();
            readNanos = now;
        }
        long wait = throttle.spend(bytes, now);
        if (wait == 0) {
            return;
        }
        if (wait == PublishThrottle.SUSTAINED) {
            disconnect(ReasonCodes.MESSAGE_RATE_TOO_HIGH, "over its publish rate limits for "
                    + LimitsSyntax.format(admission.limits()).get("disconnect-after"));
            return;
        }
        if (throttleRelease == null) {
            if (!throttledBefore) {
                throttledBefore = true;
                events.clientThrottled(listener.name(), admission.clientId(), "publish",
                        LimitsSyntax.format(admission.limits()));
            }
            events.publishHeld(true);
            holdReading(HOLD_PUBLISH_RATE);
            // At least MIN_HOLD: a client far over a high rate is then let through in batches, not one timer per message.
            throttleRelease = ctx.executor().schedule(this::releaseThrottle, Math.max(wait, MIN_HOLD_NANOS),
                    TimeUnit.NANOSECONDS);
        }
    }

    /** The hold for the publish rates is over, unless the client is still in debt (more arrived meanwhile). */
    private void releaseThrottle() {
        throttleRelease = null;
        if (state != State.CONNECTED || closing) {
            return;
        }
        long wait = throttle == null ? 0 : throttle.remaining(System.nanoTime());
        if (wait > 0) {
            throttleRelease = ctx.executor().schedule(this::releaseThrottle, wait, TimeUnit.NANOSECONDS);
            return;
        }
        events.publishHeld(false);
        endHold(HOLD_PUBLISH_RATE);
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.connectProcessor = new ConnectProcessor(this, ctx, listener, core, events);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        events.connectionOpened();
        deadlineBase = ctx.executor().ticker().nanoTime() + TimeUnit.SECONDS.toNanos(limits.connectTimeoutSeconds());
        deadlines.join(ctx.executor(), this);
        ctx.fireChannelActive();
    }

    @Override
    public void checkDeadlines(long now) {
        if (state == State.AWAIT_CONNECT || state == State.AUTHENTICATING) {
            if (now - deadlineBase >= 0) {
                closeReason = "no CONNECT within " + limits.connectTimeoutSeconds() + " s";
                closeHow = CloseReason.CONNECT_TIMEOUT;
                LOG.debug("closing {}: {}", ctx.channel().remoteAddress(), closeReason);
                deadlines.leave(ctx.executor(), this);
                ctx.close();
            }
            return;
        }
        if (state != State.CONNECTED || keepAliveNanos == 0) {
            return;
        }
        // While the broker itself does not read (publish rates, memory budget), silence proves nothing.
        if (readSinceSweep || readHolds != 0) {
            readSinceSweep = false;
            deadlineBase = now;
        } else if (now - deadlineBase > keepAliveNanos) {
            deadlines.leave(ctx.executor(), this);
            disconnect(ReasonCodes.KEEP_ALIVE_TIMEOUT, "keep alive timeout");
        }
    }

    @Override
    public int sweepSlot() {
        return sweepSlot;
    }

    @Override
    public void sweepSlot(int slot) {
        sweepSlot = slot;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        deadlines.leave(ctx.executor(), this);
        if (enhancedAuth != null) {
            enhancedAuth.cancelExpiry();
        }
        if (throttleRelease != null) {
            throttleRelease.cancel(false);
            throttleRelease = null;
            events.publishHeld(false);
        }
        if (outbound != null) {
            outbound.close();
        }
        State previous = state;
        state = State.CLOSED;
        CloseReason how = closeHow == null ? CloseReason.CONNECTION_LOST : closeHow;
        events.connectionClosed(how);
        if (held != null) {
            held.forEach(ReferenceCountUtil::release);
            held.clear();
        }
        if ((readHolds & HOLD_MEMORY) != 0) {
            readHolds &= ~HOLD_MEMORY;
            core.budget().forget(memoryRoom);
            events.memoryHold(listener.name(), admission.clientId(), false, false);
        }
        if (previous == State.CONNECTED) {
            admission.permissions().detach();
            core.sessions().detach(admission.session(), this, discardWill);
            events.clientDisconnected(listener.name(), ctx.channel(), admission.clientId(), how, closeCode,
                    closeReason == null ? "connection closed" : closeReason);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (state != State.CLOSED) {
            LOG.debug("closing {} (client {}) after error: {}", ctx.channel().remoteAddress(), clientId(),
                    cause.toString());
            closeReason = "I/O error: " + cause.getMessage();
        }
        ctx.close();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            drain();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readNanos = 0;
        ctx.flush();
    }

    /** The client id of the CONNECT being decided or admitted, or {@code null} before CONNECT. */
    private String clientId() {
        return attempt == null ? null : attempt.clientId();
    }

    // ------------------------------------------------------------------ inbound dispatch

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        readSinceSweep = true;
        if (state == State.AUTHENTICATING || readHolds != 0) {
            if (held == null) {
                held = new ArrayDeque<>();
            }
            held.add(msg);
            return;
        }
        process(msg);
    }

    private void process(Object msg) {
        try {
            if (!(msg instanceof MqttMessage message)) {
                return;
            }
            if (closing || state == State.CLOSED) {
                return;
            }
            if (message.decoderResult().isFailure()) {
                decodeFailure(message.decoderResult().cause());
                return;
            }
            dispatch(message);
        } catch (ProtocolViolation violation) {
            disconnect(violation.reasonCode, violation.getMessage());
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * Processes the packets that arrived while the connection was held, in order: after CONNACK, and when a hold for
     * a hold ends. Stops when one of them holds the connection again (publish rates, memory budget).
     */
    private void replayHeldPackets() {
        if (held == null) {
            return;
        }
        readNanos = 0; // not part of a read: the clock has moved on
        Object msg;
        while (readHolds == 0 && (msg = held.poll()) != null) {
            process(msg);
        }
        readNanos = 0;
        ctx.flush();
    }

    private void dispatch(MqttMessage message) {
        MqttMessageType type = message.fixedHeader().messageType();
        if (state == State.AWAIT_CONNECT) {
            if (type != MqttMessageType.CONNECT) {
                closeReason = "first packet was " + type + ", not CONNECT";
                closeHow = CloseReason.PROTOCOL_ERROR;
                ctx.close();
                return;
            }
            MqttConnectMessage connect = (MqttConnectMessage) message;
            tapConnect(connect);
            connectProcessor.connect(connect);
            return;
        }
        if (state != State.CONNECTED) {
            return;
        }
        Admission a = admission;
        if (packetLimit > 0 && packetSize(message) > packetLimit) {
            throw new ProtocolViolation(ReasonCodes.PACKET_TOO_LARGE, type + " of " + packetSize(message)
                    + " bytes above the maximum packet size of " + packetLimit);
        }
        switch (type) {
            case PUBLISH -> {
                if (!publishes().publish(a, (MqttPublishMessage) message)) {
                    holdUntilRoom((MqttPublishMessage) message);
                } else if (throttle != null) {
                    spendPublishRate(packetSize(message));
                }
            }
            case PUBACK -> {
                if (outbound.puback(packetId(message))) {
                    drain();
                }
            }
            case PUBREC -> {
                if (outbound.pubrec(message)) {
                    drain();
                }
            }
            case PUBREL -> publishes().pubrel(a, packetId(message));
            case PUBCOMP -> {
                if (outbound.pubcomp(packetId(message))) {
                    drain();
                }
            }
            case SUBSCRIBE -> subscriptions().subscribe(a, (MqttSubscribeMessage) message);
            case UNSUBSCRIBE -> subscriptions().unsubscribe(a, (MqttUnsubscribeMessage) message);
            case PINGREQ -> ctx.write(Replies.PINGRESP);
            case DISCONNECT -> clientDisconnect(a, message);
            case CONNECT -> throw secondConnect(a);
            case AUTH -> enhancedAuth().auth(a, message);
            default -> throw new ProtocolViolation(ReasonCodes.PROTOCOL_ERROR, "unexpected " + type + " from a client");
        }
    }

    private InboundPublishes publishes() {
        if (publishes == null) {
            publishes = new InboundPublishes(ctx, listener, core, events, this::handoffFailed, feedsFullest);
        }
        return publishes;
    }

    private Subscriptions subscriptions() {
        if (subscriptions == null) {
            subscriptions = new Subscriptions(ctx, listener, core, events);
        }
        return subscriptions;
    }

    private EnhancedAuth enhancedAuth() {
        if (enhancedAuth == null) {
            enhancedAuth = new EnhancedAuth(this, ctx, listener);
        }
        return enhancedAuth;
    }

    /**
     * A second CONNECT is a protocol error. Decoding it made the codec take its protocol level for the connection's;
     * the DISCONNECT goes out in the session's level again.
     */
    private ProtocolViolation secondConnect(Admission a) {
        int level = a.connect().protocolVersion();
        ctx.channel().attr(ConnectProcessor.MQTT_VERSION)
                .set(MqttVersion.fromProtocolNameAndLevel(level == 3 ? "MQIsdp" : "MQTT", (byte) level));
        return new ProtocolViolation(ReasonCodes.PROTOCOL_ERROR, "second CONNECT on one connection");
    }

    static int packetId(MqttMessage message) {
        return ((MqttMessageIdVariableHeader) message.variableHeader()).messageId();
    }

    /** The size of the packet on the wire, fixed header included (as MQTT's Maximum Packet Size counts). */
    private static int packetSize(MqttMessage message) {
        int remaining = message.fixedHeader().remainingLength();
        return 1 + PublishEncoder.varIntSize(remaining) + remaining;
    }

    private void clientDisconnect(Admission a, MqttMessage message) {
        int reason = ReasonCodes.NORMAL_DISCONNECT;
        if (a.v5() && message.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader v) {
            reason = v.reasonCode() & 0xFF;
            MqttProperties.MqttProperty<?> expiry = v.properties().getProperty(MqttProperties.SESSION_EXPIRY_INTERVAL);
            if (expiry != null) {
                long requested = Integer.toUnsignedLong((Integer) expiry.value());
                Session session = a.session();
                if (session.expiryIntervalSeconds() == 0 && requested != 0) {
                    throw new ProtocolViolation(ReasonCodes.PROTOCOL_ERROR,
                            "session expiry interval set at DISCONNECT after CONNECT set 0");
                }
                session.setExpiryIntervalSeconds(Math.min(requested, limits.maxSessionExpirySeconds()));
            }
        }
        discardWill = reason != ReasonCodes.DISCONNECT_WITH_WILL;
        closeReason = "client sent DISCONNECT 0x" + Integer.toHexString(reason);
        closeHow = CloseReason.CLIENT_DISCONNECT;
        closeCode = reason;
        ctx.close();
    }

    private void decodeFailure(Throwable cause) {
        if (state == State.AWAIT_CONNECT) {
            connectProcessor.decodeFailure(cause);
            return;
        }
        int reason = cause instanceof TooLongFrameException ? ReasonCodes.PACKET_TOO_LARGE : ReasonCodes.MALFORMED_PACKET;
        disconnect(reason, "malformed packet: " + describe(cause));
    }

    static String describe(Throwable cause) {
        if (cause instanceof MqttUnacceptableProtocolVersionException) {
            return "unsupported protocol version (" + cause.getMessage() + ")";
        }
        if (cause instanceof MqttIdentifierRejectedException) {
            return "client identifier rejected";
        }
        if (cause instanceof DecoderException && cause.getCause() != null && cause.getMessage() == null) {
            return cause.getCause().getMessage();
        }
        return cause.getMessage();
    }

    /**
     * Ends the connection from the broker's side: MQTT 5 clients get a DISCONNECT with the reason code
     * (and a reason string when they asked for problem information); MQTT 3 clients are simply closed.
     * The will is published, as for any disconnect not initiated by the client.
     */
    void disconnect(int reasonCode, String reason) {
        if (closing || state == State.CLOSED || !ctx.channel().isActive()) {
            return;
        }
        closeReason = reason;
        closeCode = reasonCode;
        if (closeHow == null) {
            closeHow = CloseReason.ofReasonCode(reasonCode);
        }
        LOG.debug("disconnecting client {} at {}: {} (0x{})", clientId(), ctx.channel().remoteAddress(), reason,
                Integer.toHexString(reasonCode));
        if (attempt != null && attempt.v5() && (state == State.CONNECTED || state == State.AUTHENTICATING)) {
            LingeringClose.after(ctx, Replies.disconnect(reasonCode,
                    attempt.client().reasonString(Replies.DISCONNECT_HEAD, reason)));
        } else {
            ctx.close();
        }
        closing = true;
    }

    // ------------------------------------------------------------------ packet taps

    /** A CONNECT arrived: the taps say whether they want this connection (one volatile read when there are none). */
    private void tapConnect(MqttConnectMessage connect) {
        List<PacketTap> taps = listener.observers().taps();
        if (taps.isEmpty()) {
            return;
        }
        String clientId = connect.payload().clientIdentifier();
        PacketSink[] sinks = TapHandler.open(taps, tapSubject(clientId == null ? "" : clientId,
                connect.payload().userName()));
        if (sinks.length > 0) {
            installTap(sinks).connect(connect, clientId == null ? "" : clientId);
        }
    }

    /** Asks the taps again whether they want this connection, e.g. after a recording started; on the event loop. */
    void retap() {
        if (state == State.CLOSED || closing || attempt == null || !ctx.channel().isActive()) {
            return;
        }
        List<PacketTap> taps = listener.observers().taps();
        PacketSink[] sinks = taps.isEmpty() ? new PacketSink[0]
                : TapHandler.open(taps, tapSubject(attempt.clientId(), attempt.username()));
        if (tap != null) {
            tap.replaceSinks(sinks);
        } else if (sinks.length > 0) {
            installTap(sinks);
        }
    }

    /** Makes every live connection among {@code channels} ask the packet taps again, each on its event loop. */
    public static void retapAll(Iterable<Channel> channels) {
        for (Channel ch : channels) {
            if (ch.pipeline().get(PipelineNames.MQTT_CONNECTION) instanceof MqttConnection c) {
                try {
                    ch.eventLoop().execute(c::retap);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // the broker is shutting down: the connection is closing anyway
                }
            }
        }
    }

    private TapHandler installTap(PacketSink[] sinks) {
        tap = TapHandler.create(this, listener, limits.maxQos(), sinks);
        ctx.pipeline().addBefore(PipelineNames.MQTT_CONNECTION, PipelineNames.PACKET_TAP, tap);
        return tap;
    }

    private TapSubject tapSubject(String clientId, String username) {
        InetSocketAddress remote = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a : null;
        return new TapSubject(listener.name(), clientId, username, remote == null ? null : remote.getAddress());
    }

    /** The tap left the pipeline (its sinks ended). */
    void untapped(TapHandler removed) {
        if (tap == removed) {
            tap = null;
        }
    }

    /** The client id packet records name: the one admitted (or being decided). */
    String tapClientId() {
        return attempt == null ? null : attempt.clientId();
    }

    /** The topic behind an inbound topic alias, or {@code null}. */
    String inboundAlias(int alias) {
        return publishes == null ? null : publishes.aliasTopic(alias);
    }

    void tapFailed(RuntimeException e) {
        LOG.warn("packet trace of client {}: a packet could not be recorded: {}", clientId(), e.toString());
    }

    // ------------------------------------------------------------------ SessionOutput

    @Override
    public void wakeup() {
        if (drainScheduled.compareAndSet(false, true)) {
            ctx.executor().execute(drainTask);
        }
    }

    @Override
    public void takenOver() {
        ctx.executor().execute(() -> disconnect(ReasonCodes.SESSION_TAKEN_OVER, "session taken over by another connection"));
    }

    /** A QoS 1/2 message could not be handed to the cluster's nodes: closed unacknowledged, the client sends it again. */
    private void handoffFailed(String reason) {
        closeHow = CloseReason.HANDOFF_FAILED;
        LOG.warn("closing client {} at {}: {}", clientId(), ctx.channel().remoteAddress(), reason);
        disconnect(ReasonCodes.UNSPECIFIED_ERROR, reason);
    }

    @Override
    public void queueOverflow(String reason) {
        ctx.executor().execute(() -> {
            if (closeHow == null && state == State.CONNECTED && !closing) {
                closeHow = CloseReason.SLOW_CONSUMER;
            }
            disconnect(ReasonCodes.QUOTA_EXCEEDED, reason);
        });
    }

    /** Called on the event loop once the broker shuts down. */
    public void shutdown() {
        disconnect(ReasonCodes.SERVER_SHUTTING_DOWN, "server shutting down");
    }

    /**
     * Called on the event loop when the client should carry on with another node of the cluster (this one leaves, or
     * is cut off from most of the others): MQTT 5 clients get DISCONNECT 0x9C Use another server with the other nodes'
     * addresses as the server reference (when known); MQTT 3 clients are closed. The will is published as for any
     * disconnect the client did not ask for.
     */
    public void sendAway(String serverReference, String reason) {
        if (closing || state == State.CLOSED || !ctx.channel().isActive()) {
            return;
        }
        if (state != State.CONNECTED || !attempt.v5()) {
            disconnect(ReasonCodes.USE_ANOTHER_SERVER, reason);
            return;
        }
        closeReason = reason;
        closeCode = ReasonCodes.USE_ANOTHER_SERVER;
        closeHow = CloseReason.ofReasonCode(ReasonCodes.USE_ANOTHER_SERVER);
        LingeringClose.after(ctx, Replies.disconnect(ReasonCodes.USE_ANOTHER_SERVER,
                attempt.client().reasonString(Replies.DISCONNECT_HEAD, reason), serverReference));
        closing = true;
    }

    // ------------------------------------------------------------------ outbound flow

    private void drain() {
        drainScheduled.set(false);
        if (state != State.CONNECTED || closing) {
            return;
        }
        outbound.drain();
    }
}
