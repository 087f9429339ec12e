package io.rampart.server.protocol;

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
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.rampart.core.BrokerCore;
import io.rampart.core.MqttLimits;
import io.rampart.core.session.DropReason;
import io.rampart.core.session.Outgoing;
import io.rampart.core.session.Session;
import io.rampart.core.session.SessionOutput;
import io.rampart.server.events.BrokerEvents;
import io.rampart.server.gate.ClientPermissions;
import io.rampart.server.gate.ConnectDecision;
import io.rampart.server.gate.ConnectGate;
import io.rampart.server.metrics.AuthzAction;
import io.rampart.server.metrics.CloseReason;
import io.rampart.server.pipeline.LingeringClose;
import io.rampart.server.security.AccessLog;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The MQTT protocol state machine of one connection. Lives on the channel's event loop; the only entry
 * points from other threads are {@link #wakeup()} and {@link #takenOver()}, which hop onto the loop.
 * CONNECT is handled by {@link ConnectProcessor}, PUBLISH by {@link InboundPublishes}, SUBSCRIBE and
 * UNSUBSCRIBE by {@link Subscriptions}; this class owns the lifecycle and the outbound flow.
 */
public final class MqttConnection extends ChannelInboundHandlerAdapter implements SessionOutput {

    private static final Logger LOG = LogManager.getLogger(MqttConnection.class);

    enum State { AWAIT_CONNECT, AUTHENTICATING, CONNECTED, CLOSED }

    final ListenerContext listener;
    final BrokerCore core;
    final MqttLimits limits;
    final BrokerEvents events;
    private final ConnectProcessor connectProcessor;
    private final InboundPublishes publishes;
    private final Subscriptions subscriptions;
    final EnhancedAuth enhancedAuth;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drain;

    ChannelHandlerContext ctx;
    State state = State.AWAIT_CONNECT;
    int protocolVersion;
    String clientId;
    String username;
    Session session;
    ClientPermissions permissions;
    ConnectDecision decision;
    boolean requestProblemInformation = true;
    int clientReceiveMaximum = 65_535;
    long clientMaximumPacketSize = MqttLimits.MQTT_MAX_PACKET_SIZE + 5L;
    int clientTopicAliasMaximum;
    final HashMap<String, Integer> outboundAliases = new HashMap<>();
    boolean discardWill;
    private boolean closing;
    private int nextOutboundAlias = 1;
    private String closeReason;
    /** Why the connection ends (metrics, event log); {@code null} until known: then the network dropped it. */
    CloseReason closeHow;
    private int closeCode = -1;
    private ScheduledFuture<?> connectTimeout;
    /** Packets pipelined behind CONNECT (MQTT 5 §3.1.4) while the gate decides; bounded by one read. */
    private java.util.ArrayDeque<Object> heldDuringConnect;
    /** What operators may see of this connection, fixed at CONNACK; {@code null} before. */
    private volatile ConnectionInfo info;

    public MqttConnection(ListenerContext listener, BrokerCore core, BrokerEvents events) {
        this.listener = listener;
        this.core = core;
        this.limits = core.limits();
        this.events = events;
        this.connectProcessor = new ConnectProcessor(this);
        this.publishes = new InboundPublishes(this);
        this.subscriptions = new Subscriptions(this);
        this.enhancedAuth = new EnhancedAuth(this);
    }

    boolean isV5() {
        return protocolVersion == 5;
    }

    ConnectGate gate() {
        return listener.gate();
    }

    /** Who this connection is, for access-log lines. */
    AccessLog.Subject accessSubject() {
        return new AccessLog.Subject(listener.name(), ctx.channel().remoteAddress(), clientId, username,
                decision == null ? null : decision.identity());
    }

    /** Closes the session from another thread, e.g. when its user was removed from the realm. */
    void disconnectFromOutside(int reasonCode, String reason) {
        ctx.executor().execute(() -> disconnect(reasonCode, reason));
    }

    /** Records what operators may see of this connection; called once at CONNACK. */
    void admitted(boolean cleanStart, int keepAlive) {
        info = new ConnectionInfo(listener.name(), ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress a
                ? a : null, protocolVersion, username, java.time.Instant.now(), keepAlive, cleanStart,
                ctx.channel().attr(io.rampart.tls.ClientCertificates.VARIABLES).get(), decision.identity(),
                decision.manager(), decision.realm(), permissions.roles());
    }

    /** What operators may see of this connection, or {@code null} before CONNACK. */
    public ConnectionInfo info() {
        return info;
    }

    /**
     * An operator closes this connection (MQTT 5: DISCONNECT 0x98 Administrative action with {@code reason}).
     * Completes when the connection has closed, with {@code false} when it was not (or no longer) connected.
     */
    public java.util.concurrent.CompletableFuture<Boolean> disconnectByAdministrator(String reason) {
        java.util.concurrent.CompletableFuture<Boolean> done = new java.util.concurrent.CompletableFuture<>();
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

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        events.connectionOpened();
        connectTimeout = ctx.executor().schedule(() -> {
            if (state == State.AWAIT_CONNECT || state == State.AUTHENTICATING) {
                closeReason = "no CONNECT within " + limits.connectTimeoutSeconds() + " s";
                closeHow = CloseReason.CONNECT_TIMEOUT;
                LOG.debug("closing {}: {}", ctx.channel().remoteAddress(), closeReason);
                ctx.close();
            }
        }, limits.connectTimeoutSeconds(), TimeUnit.SECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
        }
        enhancedAuth.cancelExpiry();
        State previous = state;
        state = State.CLOSED;
        CloseReason how = closeHow == null ? CloseReason.CONNECTION_LOST : closeHow;
        events.connectionClosed(how);
        if (heldDuringConnect != null) {
            heldDuringConnect.forEach(ReferenceCountUtil::release);
            heldDuringConnect.clear();
        }
        if (previous == State.CONNECTED && session != null) {
            permissions.detach();
            core.sessions().detach(session, this, discardWill);
            events.clientDisconnected(listener.name(), ctx.channel(), clientId, how, closeCode,
                    closeReason == null ? "connection closed" : closeReason);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && state == State.CONNECTED) {
            disconnect(ReasonCodes.KEEP_ALIVE_TIMEOUT, "keep alive timeout");
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (state != State.CLOSED) {
            LOG.debug("closing {} (client {}) after error: {}", ctx.channel().remoteAddress(), clientId, cause.toString());
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
        ctx.flush();
    }

    // ------------------------------------------------------------------ inbound dispatch

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.AUTHENTICATING) {
            if (heldDuringConnect == null) {
                heldDuringConnect = new java.util.ArrayDeque<>();
            }
            heldDuringConnect.add(msg);
            return;
        }
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

    /** After CONNACK: processes the packets that arrived while the CONNECT was being decided, in order. */
    void replayHeldPackets() {
        if (heldDuringConnect == null) {
            return;
        }
        Object msg;
        while ((msg = heldDuringConnect.poll()) != null) {
            channelRead(ctx, msg);
        }
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
            connectProcessor.connect((MqttConnectMessage) message);
            return;
        }
        if (state != State.CONNECTED) {
            return;
        }
        switch (type) {
            case PUBLISH -> publishes.publish((MqttPublishMessage) message);
            case PUBACK -> {
                if (session.puback(packetId(message)) != null) {
                    drain();
                }
            }
            case PUBREC -> pubrec(message);
            case PUBREL -> publishes.pubrel(packetId(message));
            case PUBCOMP -> {
                if (session.pubcomp(packetId(message)) != null) {
                    drain();
                }
            }
            case SUBSCRIBE -> subscriptions.subscribe((MqttSubscribeMessage) message);
            case UNSUBSCRIBE -> subscriptions.unsubscribe((MqttUnsubscribeMessage) message);
            case PINGREQ -> ctx.write(Replies.PINGRESP);
            case DISCONNECT -> clientDisconnect(message);
            case CONNECT -> throw secondConnect();
            case AUTH -> enhancedAuth.auth(message);
            default -> throw new ProtocolViolation(ReasonCodes.PROTOCOL_ERROR, "unexpected " + type + " from a client");
        }
    }

    /**
     * A second CONNECT is a protocol error. Decoding it made the codec take its protocol level for the connection's;
     * the DISCONNECT goes out in the session's level again.
     */
    private ProtocolViolation secondConnect() {
        ctx.channel().attr(ConnectProcessor.MQTT_VERSION)
                .set(MqttVersion.fromProtocolNameAndLevel(protocolVersion == 3 ? "MQIsdp" : "MQTT", (byte) protocolVersion));
        return new ProtocolViolation(ReasonCodes.PROTOCOL_ERROR, "second CONNECT on one connection");
    }

    static int packetId(MqttMessage message) {
        return ((MqttMessageIdVariableHeader) message.variableHeader()).messageId();
    }

    private void pubrec(MqttMessage message) {
        int id = packetId(message);
        int reason = 0;
        if (message.variableHeader() instanceof MqttPubReplyMessageVariableHeader v) {
            reason = v.reasonCode() & 0xFF;
        }
        if (reason >= 0x80) {
            if (session.abandon(id) != null) {
                drain();
            }
            return;
        }
        boolean known = session.pubrec(id);
        ctx.write(Replies.pubReply(MqttMessageType.PUBREL, id,
                known ? ReasonCodes.SUCCESS : ReasonCodes.PACKET_ID_NOT_FOUND, null));
    }

    private void clientDisconnect(MqttMessage message) {
        int reason = ReasonCodes.NORMAL_DISCONNECT;
        if (isV5() && message.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader v) {
            reason = v.reasonCode() & 0xFF;
            MqttProperties.MqttProperty<?> expiry = v.properties().getProperty(MqttProperties.SESSION_EXPIRY_INTERVAL);
            if (expiry != null) {
                long requested = Integer.toUnsignedLong((Integer) expiry.value());
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
        LOG.debug("disconnecting client {} at {}: {} (0x{})", clientId, ctx.channel().remoteAddress(), reason,
                Integer.toHexString(reasonCode));
        if (isV5() && (state == State.CONNECTED || state == State.AUTHENTICATING)) {
            boolean withReason = requestProblemInformation && reason != null
                    && Replies.reasonStringFits(Replies.DISCONNECT_HEAD, reason, clientMaximumPacketSize);
            LingeringClose.after(ctx, Replies.disconnect(reasonCode, withReason ? reason : null));
        } else {
            ctx.close();
        }
        closing = true;
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

    /** Called on the event loop once the broker shuts down. */
    public void shutdown() {
        disconnect(ReasonCodes.SERVER_SHUTTING_DOWN, "server shutting down");
    }

    // ------------------------------------------------------------------ outbound flow

    /** Called after CONNACK: resends what was in flight (with DUP, or PUBREL) and then drains the queue. */
    void resumeOutbound() {
        List<Outgoing> inflight = session.inflightMessages();
        for (Outgoing o : inflight) {
            if (o.isReleasing()) {
                ctx.write(Replies.pubReply(MqttMessageType.PUBREL, o.packetId(), ReasonCodes.SUCCESS, null));
            } else {
                writePublish(o, true);
            }
        }
        drain();
        ctx.flush();
    }

    void drain() {
        drainScheduled.set(false);
        if (state != State.CONNECTED || closing || session == null) {
            return;
        }
        int written = 0;
        long now = System.nanoTime();
        while (ctx.channel().isWritable()) {
            Outgoing o = session.pollForSend(clientReceiveMaximum, now);
            if (o == null) {
                break;
            }
            if (writePublish(o, false)) {
                written++;
            }
        }
        if (written > 0) {
            ctx.flush();
        }
    }

    private boolean writePublish(Outgoing o, boolean resend) {
        // Expiry first: an alias may only be registered for a PUBLISH that is actually written.
        long expiry = o.message().remainingExpirySeconds(System.nanoTime());
        if (expiry == 0 && resend && o.isDuplicate()) {
            // Delivery already started: the flow must be completed (MQTT 5 §4.4), with the least expiry left.
            expiry = 1;
        } else if (expiry == 0) {
            session.discard(o);
            events.messageDropped(clientId, o.message(), o.qos(), DropReason.EXPIRED);
            return false;
        }
        String topic = o.message().topic();
        if (!permissions.mayReceive(topic)) {
            // A wildcard subscription never delivers a topic this session may not read.
            session.discard(o);
            events.authzDenied(AuthzAction.RECEIVE);
            events.messageDropped(clientId, o.message(), o.qos(), DropReason.NOT_AUTHORIZED);
            return false;
        }
        int alias = 0;
        String wireTopic = topic;
        if (clientTopicAliasMaximum > 0) {
            Integer existing = outboundAliases.get(topic);
            if (existing != null) {
                alias = existing;
                wireTopic = "";
            } else if (nextOutboundAlias <= clientTopicAliasMaximum) {
                alias = nextOutboundAlias++;
                outboundAliases.put(topic, alias);
            }
        }
        OutboundPublish p = new OutboundPublish(o.message(), o.qos(), resend && o.isDuplicate(), o.retain(),
                o.packetId(), wireTopic, alias, o.subscriptionIds(), expiry, isV5());
        if (p.packetSize() > clientMaximumPacketSize && alias > 0 && !wireTopic.isEmpty()) {
            outboundAliases.remove(topic);
            nextOutboundAlias--; // the alias was assigned just above and never reached the client
            p = new OutboundPublish(o.message(), o.qos(), resend && o.isDuplicate(), o.retain(),
                    o.packetId(), topic, 0, o.subscriptionIds(), expiry, isV5());
        }
        if (p.packetSize() > clientMaximumPacketSize) {
            session.discard(o);
            events.messageDropped(clientId, o.message(), o.qos(), DropReason.TOO_LARGE);
            return false;
        }
        ctx.write(p, ctx.voidPromise());
        if (o.qos() > 0) {
            session.markSent(o);
        }
        return true;
    }
}
