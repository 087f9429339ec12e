package io.rampart.server.metrics;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.rampart.server.protocol.OutboundPublish;

/**
 * Just before the protocol handler: counts decoded MQTT packets coming in and packets going out, by type
 * and QoS. Packets the decoder could not read are not counted here (they close the connection and show
 * up as {@code rampart.connections.closed{reason=protocol-error}}). Shared by every channel.
 */
@ChannelHandler.Sharable
public final class PacketCounter extends ChannelDuplexHandler {

    private final BrokerMetrics metrics;

    public PacketCounter(BrokerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof MqttMessage m && m.fixedHeader() != null && m.decoderResult().isSuccess()) {
            metrics.packetIn(m.fixedHeader().messageType(), m.fixedHeader().qosLevel().value());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof OutboundPublish p) {
            metrics.packetOut(io.netty.handler.codec.mqtt.MqttMessageType.PUBLISH, p.qos());
        } else if (msg instanceof MqttMessage m && m.fixedHeader() != null) {
            metrics.packetOut(m.fixedHeader().messageType(), m.fixedHeader().qosLevel().value());
        }
        ctx.write(msg, promise);
    }
}
