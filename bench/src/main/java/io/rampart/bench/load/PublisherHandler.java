package io.rampart.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Publishes to one topic as fast as flow control allows.
 *
 * <p>Sending happens in {@link #pump()} on the channel's event loop: up to {@link #BATCH} messages while the
 * channel is writable, the QoS 1 in-flight window has room and the {@link FlowGroup} grants it, then one
 * flush. A full batch re-queues the pump as a task so subscribers sharing the loop get to read in between.
 * Otherwise the pump resumes on writability, on PUBACKs (once per read batch) or when the flow group wakes it.
 *
 * <p>Hot-loop allocations: the payload buffer is allocated once; each message overwrites its first 8 bytes
 * with {@link System#nanoTime()} and passes a {@code retainedDuplicate()} of it. This is safe because the
 * write runs on the event loop, where {@code MqttEncoder} copies the payload into the outbound buffer before
 * {@code write} returns. Writes use the void promise; QoS 0 reuses one variable header.
 */
final class PublisherHandler extends MqttClientHandler {

    private static final int BATCH = 64;

    private final String topic;
    private final boolean qos1;
    private final int configuredInflight;
    private final FlowGroup flow;
    private final MeasurementWindow window;
    private final MqttFixedHeader fixedHeader;
    private final MqttPublishVariableHeader qos0Header;
    private final ByteBuf payload;
    private final Runnable pumpTask = this::pump;
    private final AtomicBoolean parked = new AtomicBoolean();

    private int inflightLimit;
    private int inflight;
    private int nextPacketId = 1;
    private boolean running;
    private boolean pumpQueued;

    private long sentTotal;
    private long sentMeasured;

    /** Takes ownership of {@code payload} and releases it when the channel goes away. */
    PublisherHandler(String clientId, MqttVersion version, Login login, RunErrors errors, String topic, MqttQoS qos,
                     int inflight, FlowGroup flow, MeasurementWindow window, ByteBuf payload) {
        super(clientId, version, login, errors);
        this.topic = topic;
        this.qos1 = qos == MqttQoS.AT_LEAST_ONCE;
        this.configuredInflight = inflight;
        this.flow = flow;
        this.window = window;
        this.fixedHeader = qos1 ? Packets.PUBLISH_QOS1 : Packets.PUBLISH_QOS0;
        this.qos0Header = new MqttPublishVariableHeader(topic, 0);
        this.payload = payload;
    }

    @Override
    protected void onConnected(ChannelHandlerContext ctx, int receiveMaximum) {
        inflightLimit = Math.min(configuredInflight, receiveMaximum);
        markReady();
    }

    /** Starts publishing; safe from any thread. */
    void start() {
        channel.eventLoop().execute(() -> {
            running = true;
            pump();
        });
    }

    /** Stops publishing; in-flight QoS 1 messages still get their PUBACKs. Safe from any thread. */
    void stop() {
        channel.eventLoop().execute(() -> running = false);
    }

    /** Called by the flow group, possibly from another event loop. */
    void wake() {
        channel.eventLoop().execute(pumpTask);
    }

    boolean markParked() {
        return parked.compareAndSet(false, true);
    }

    boolean clearParked() {
        return parked.compareAndSet(true, false);
    }

    private void pump() {
        pumpQueued = false;
        if (!running || !channel.isActive()) {
            return;
        }
        int sent = 0;
        while (sent < BATCH && channel.isWritable() && (!qos1 || inflight < inflightLimit)) {
            if (!flow.tryAcquire()) {
                flow.park(this);
                break;
            }
            publishOne();
            sent++;
        }
        if (sent > 0) {
            channel.flush();
        }
        if (sent == BATCH && !pumpQueued) {
            pumpQueued = true;
            channel.eventLoop().execute(pumpTask);
        }
    }

    private void publishOne() {
        long now = System.nanoTime();
        payload.setLong(0, now);
        MqttPublishVariableHeader header;
        if (qos1) {
            header = new MqttPublishVariableHeader(topic, nextPacketId);
            nextPacketId = nextPacketId == 65_535 ? 1 : nextPacketId + 1;
            inflight++;
        } else {
            header = qos0Header;
        }
        channel.write(new MqttPublishMessage(fixedHeader, header, payload.retainedDuplicate()), channel.voidPromise());
        sentTotal++;
        if (window.contains(now)) {
            sentMeasured++;
        }
    }

    @Override
    protected void onPubAck(ChannelHandlerContext ctx, int packetId) {
        if (!qos1 || inflight == 0) {
            errors.protocolError(clientId, "unexpected PUBACK " + packetId);
            return;
        }
        inflight--;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (qos1 && inflight < inflightLimit && !pumpQueued) {
            pump();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && !pumpQueued) {
            pump();
        }
    }

    @Override
    protected void onClosed(boolean expected) {
        running = false;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        payload.release();
    }

    long sentTotal() {
        return sentTotal;
    }

    long sentMeasured() {
        return sentMeasured;
    }
}
