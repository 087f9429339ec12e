package io.rampart.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import org.HdrHistogram.Histogram;

/**
 * Subscribes to one filter, waits for SUBACK, then records the end-to-end latency of every message from the
 * timestamp in its first 8 bytes. QoS 1 deliveries are acknowledged; PUBACKs and the report to the
 * {@link FlowGroup} are batched per read cycle.
 */
final class SubscriberHandler extends MqttClientHandler {

    private static final int SUBSCRIBE_PACKET_ID = 1;

    private final String topicFilter;
    private final MqttQoS qos;
    private final FlowGroup flow;
    private final MeasurementWindow window;
    private final LatencyRecorders recorders;

    private Histogram histogram;
    private int batchDelivered;
    private boolean ackPending;
    private long receivedTotal;
    private long receivedMeasured;

    SubscriberHandler(String clientId, MqttVersion version, Login login, RunErrors errors, String topicFilter, MqttQoS qos,
                      FlowGroup flow, MeasurementWindow window, LatencyRecorders recorders) {
        super(clientId, version, login, errors);
        this.topicFilter = topicFilter;
        this.qos = qos;
        this.flow = flow;
        this.window = window;
        this.recorders = recorders;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        histogram = recorders.forExecutor(ctx.executor());
    }

    @Override
    protected void onConnected(ChannelHandlerContext ctx, int receiveMaximum) {
        ctx.writeAndFlush(Packets.subscribe(topicFilter, qos, SUBSCRIBE_PACKET_ID), ctx.voidPromise());
    }

    @Override
    protected void onSubAck(ChannelHandlerContext ctx, MqttSubAckMessage msg) {
        int code = msg.payload().reasonCodes().isEmpty() ? 0x80 : msg.payload().reasonCodes().get(0);
        if (code >= 0x80) {
            errors.refused(clientId, String.format("SUBACK 0x%02x for %s", code, topicFilter));
            fail(new IllegalStateException("subscription refused"));
            disconnectNow(ctx);
            return;
        }
        if (code < qos.value()) {
            System.err.println("warning: " + clientId + " was granted QoS " + code + " instead of " + qos.value());
        }
        markReady();
    }

    @Override
    protected void onPublish(ChannelHandlerContext ctx, MqttPublishMessage msg) {
        long now = System.nanoTime();
        ByteBuf payload = msg.payload();
        if (payload.readableBytes() < LoadSettings.MIN_PAYLOAD) {
            errors.protocolError(clientId, "payload of " + payload.readableBytes() + " bytes has no timestamp");
            return;
        }
        receivedTotal++;
        batchDelivered++;
        if (window.contains(now)) {
            receivedMeasured++;
            histogram.recordValue(LatencyRecorders.clamp(now - payload.getLong(payload.readerIndex())));
        }
        if (msg.fixedHeader().qosLevel() != MqttQoS.AT_MOST_ONCE) {
            ctx.write(Packets.pubAck(msg.variableHeader().packetId()), ctx.voidPromise());
            ackPending = true;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (ackPending) {
            ackPending = false;
            ctx.flush();
        }
        if (batchDelivered > 0) {
            int n = batchDelivered;
            batchDelivered = 0;
            flow.delivered(n);
        }
    }

    long receivedTotal() {
        return receivedTotal;
    }

    long receivedMeasured() {
        return receivedMeasured;
    }
}
