package io.rampart.server.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.rampart.server.protocol.MqttConnection;

/**
 * Takes the connection handler's place in the pipeline (same name) and passes every event on to it, noting
 * what it could otherwise hide: the handler closes the connection on any exception, so a null pointer in the
 * protocol code would look like an ordinary refusal. Behaviour is unchanged: an exception the handler throws
 * still reaches its own {@code exceptionCaught}.
 */
final class ConnectionGuard extends ChannelInboundHandlerAdapter {

    private final MqttConnection connection;
    private final Findings findings;
    private MqttVersion sessionVersion;

    ConnectionGuard(MqttConnection connection, Findings findings) {
        this.connection = connection;
        this.findings = findings;
    }

    MqttConnection connection() {
        return connection;
    }

    /** The protocol level of the connection's first CONNECT, or {@code null} before it. */
    MqttVersion sessionVersion() {
        return sessionVersion;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        connection.handlerAdded(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        try {
            connection.channelActive(ctx);
        } catch (RuntimeException | Error e) {
            escaped(ctx, "channelActive", e);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        try {
            connection.channelInactive(ctx);
        } catch (RuntimeException | Error e) {
            escaped(ctx, "channelInactive", e);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof MqttMessage m && m.decoderResult().isFailure()) {
            findings.decoderFailure(m.decoderResult().cause());
        } else if (msg instanceof MqttConnectMessage connect && sessionVersion == null) {
            sessionVersion = MqttVersion.fromProtocolNameAndLevel(connect.variableHeader().name(),
                    (byte) connect.variableHeader().version());
        }
        try {
            connection.channelRead(ctx, msg);
        } catch (RuntimeException | Error e) {
            escaped(ctx, "channelRead", e);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        try {
            connection.channelReadComplete(ctx);
        } catch (RuntimeException | Error e) {
            escaped(ctx, "channelReadComplete", e);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        try {
            connection.userEventTriggered(ctx, evt);
        } catch (RuntimeException | Error e) {
            escaped(ctx, "userEventTriggered", e);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        try {
            connection.channelWritabilityChanged(ctx);
        } catch (RuntimeException | Error e) {
            escaped(ctx, "channelWritabilityChanged", e);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        findings.exception("exception fired down the pipeline", cause);
        connection.exceptionCaught(ctx, cause);
    }

    /** Whatever leaves the connection handler is a bug: it handles protocol violations itself. */
    private void escaped(ChannelHandlerContext ctx, String event, Throwable e) {
        findings.add("MqttConnection." + event + " threw " + e, e);
        connection.exceptionCaught(ctx, e);
    }
}
