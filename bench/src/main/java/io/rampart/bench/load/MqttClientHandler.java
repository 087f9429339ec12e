package io.rampart.bench.load;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The MQTT client session of one connection: CONNECT on activation, CONNACK check, keep-alive pings, error
 * accounting and an orderly DISCONNECT. Subclasses add the role (publisher, subscriber, connect cycle) and
 * call {@link #markReady()} once the connection can carry load. Stateful: one instance per channel.
 */
abstract class MqttClientHandler extends ChannelInboundHandlerAdapter {

    private static final long HANDSHAKE_TIMEOUT_SECONDS = 10;
    private static final long PING_INTERVAL_SECONDS = Packets.KEEP_ALIVE_SECONDS / 2;

    protected final String clientId;
    protected final MqttVersion version;
    private final Login login;
    protected final RunErrors errors;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    /** Set on the event loop in channelActive; other threads read it only after {@link #ready()} completed. */
    protected Channel channel;
    private boolean closing;
    private ScheduledFuture<?> handshakeTimeout;
    private ScheduledFuture<?> pinger;

    MqttClientHandler(String clientId, MqttVersion version, Login login, RunErrors errors) {
        this.clientId = clientId;
        this.version = version;
        this.login = login;
        this.errors = errors;
    }

    /** Completes when the connection is ready for load, exceptionally if the handshake failed. */
    final CompletableFuture<Void> ready() {
        return ready;
    }

    /** Called on the event loop once CONNACK accepted the session; {@code receiveMaximum} is 65535 unless v5 said less. */
    protected abstract void onConnected(ChannelHandlerContext ctx, int receiveMaximum);

    protected void onPublish(ChannelHandlerContext ctx, MqttPublishMessage msg) {
        errors.protocolError(clientId, "unexpected PUBLISH");
    }

    protected void onPubAck(ChannelHandlerContext ctx, int packetId) {
        errors.protocolError(clientId, "unexpected PUBACK " + packetId);
    }

    protected void onSubAck(ChannelHandlerContext ctx, MqttSubAckMessage msg) {
        errors.protocolError(clientId, "unexpected SUBACK");
    }

    /** Called after the channel closed, whether we asked for it ({@code expected}) or not. */
    protected void onClosed(boolean expected) {
    }

    protected final void markReady() {
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
        }
        ready.complete(null);
    }

    final void fail(Throwable cause) {
        ready.completeExceptionally(cause);
    }

    /** Sends DISCONNECT and closes; safe from any thread once {@link #ready()} completed. */
    final ChannelFuture disconnect() {
        Channel ch = channel;
        ch.eventLoop().execute(() -> {
            closing = true;
            if (ch.isActive()) {
                ch.writeAndFlush(Packets.DISCONNECT).addListener(ChannelFutureListener.CLOSE);
            }
        });
        return ch.closeFuture();
    }

    /** Whether CONNECT asks for a clean session (default); idle clients may keep theirs. */
    protected boolean cleanSession() {
        return true;
    }

    /** Like {@link #disconnect()} but must be called on the event loop. */
    protected final void disconnectNow(ChannelHandlerContext ctx) {
        closing = true;
        ctx.writeAndFlush(Packets.DISCONNECT).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        ctx.writeAndFlush(Packets.connect(clientId, version, login, cleanSession()), ctx.voidPromise());
        handshakeTimeout = ctx.executor().schedule(() -> {
            if (!ready.isDone()) {
                errors.connectFailed(clientId, new TimeoutException("no CONNACK/SUBACK within "
                        + HANDSHAKE_TIMEOUT_SECONDS + " s"));
                fail(new TimeoutException("handshake timeout"));
                closing = true;
                ctx.close();
            }
        }, HANDSHAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        pinger = ctx.executor().scheduleAtFixedRate(() -> ctx.writeAndFlush(Packets.PINGREQ, ctx.voidPromise()),
                PING_INTERVAL_SECONDS, PING_INTERVAL_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        MqttMessage m = (MqttMessage) msg;
        try {
            if (m.decoderResult().isFailure()) {
                errors.protocolError(clientId, "undecodable packet: " + m.decoderResult().cause());
                closing = true;
                ctx.close();
                return;
            }
            switch (m.fixedHeader().messageType()) {
                case PUBLISH -> onPublish(ctx, (MqttPublishMessage) m);
                case PUBACK -> onPubAck(ctx, ((MqttMessageIdVariableHeader) m.variableHeader()).messageId());
                case CONNACK -> connAck(ctx, (MqttConnAckMessage) m);
                case SUBACK -> onSubAck(ctx, (MqttSubAckMessage) m);
                case PINGRESP -> { }
                case DISCONNECT -> errors.protocolError(clientId, "broker sent DISCONNECT " + m.variableHeader());
                default -> errors.protocolError(clientId, "unexpected " + m.fixedHeader().messageType());
            }
        } finally {
            ReferenceCountUtil.release(m);
        }
    }

    private void connAck(ChannelHandlerContext ctx, MqttConnAckMessage msg) {
        MqttConnectReturnCode code = msg.variableHeader().connectReturnCode();
        if (code != MqttConnectReturnCode.CONNECTION_ACCEPTED) {
            errors.refused(clientId, "CONNACK " + code);
            fail(new IOException("CONNACK " + code));
            closing = true;
            ctx.close();
            return;
        }
        int receiveMaximum = 65_535;
        MqttProperties.MqttProperty<?> p = msg.variableHeader().properties()
                .getProperty(MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM.value());
        if (p != null && p.value() instanceof Integer value && value > 0) {
            receiveMaximum = value;
        }
        onConnected(ctx, receiveMaximum);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
        }
        if (pinger != null) {
            pinger.cancel(false);
        }
        if (!closing) {
            errors.connectionLost(clientId);
        }
        if (!ready.isDone()) {
            fail(new IOException("connection closed"));
        }
        onClosed(closing);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!closing) {
            errors.protocolError(clientId, cause.toString());
            closing = true;
        }
        ctx.close();
    }
}
