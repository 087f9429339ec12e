package io.rampart.server.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import io.rampart.core.BrokerCore;
import io.rampart.core.MqttLimits;
import io.rampart.security.limits.IdentityLimits;
import io.rampart.server.events.BrokerEvents;
import io.rampart.server.metrics.BrokerMetrics;
import io.rampart.server.metrics.PacketCounter;
import io.rampart.server.metrics.TrafficCounter;
import io.rampart.server.protocol.DeadlineSweep;
import io.rampart.server.protocol.ListenerContext;
import io.rampart.server.security.AccessLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an idle connection keeps once CONNACK has admitted it: the smallest pipeline (no connect-phase stage, no
 * keep-alive handler, one encoder) and no timer of its own; its connect timeout and keep alive still close it, never
 * early, at most one sweep period late.
 */
class IdleConnectionTest {

    private static final BrokerMetrics METRICS = BrokerMetrics.prometheusOnly();
    private static final BrokerEvents EVENTS = new BrokerEvents(METRICS, false);
    private static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(DeadlineSweep.PERIOD_MILLIS);

    private final MockTicker ticker = Ticker.newMockTicker();
    private final EmbeddedChannel clock = EmbeddedChannel.builder().ticker(ticker).build();
    private final MqttLimits limits = MqttLimits.DEFAULTS;
    private final MqttChannelInitializer initializer = new MqttChannelInitializer(
            new ListenerContext("idle", "tcp", new ScriptGate(false, false, false, false, new Findings()),
                    new AccessLog(false, true, 1), IdentityLimits.NONE, limits.maxPacketSize(), limits.queueLimits()),
            null, new BrokerCore(limits, clock.eventLoop(), EVENTS),
            EVENTS, new DefaultChannelGroup("idle", ImmediateEventExecutor.INSTANCE), new TrafficCounter(METRICS),
            new PacketCounter(METRICS));
    private EmbeddedChannel channel;

    @AfterEach
    void close() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
        clock.finishAndReleaseAll();
    }

    @Test
    void admittedConnection_keepsOnlyTheStagesItNeeds() {
        connect(60);

        assertThat(channel.pipeline().names()).containsExactly(PipelineNames.METRICS_BYTES,
                PipelineNames.MQTT_DECODER, PipelineNames.MQTT_ENCODER, PipelineNames.METRICS_PACKETS,
                PipelineNames.MQTT_CONNECTION, "DefaultChannelPipeline$TailContext#0");
    }

    @Test
    void silentClient_isClosedAfterOneAndAHalfKeepAlives_notBefore() {
        connect(10);

        advance(TimeUnit.SECONDS.toNanos(15) - PERIOD_NANOS);
        assertThat(channel.isActive()).as("open before 1.5 keep alives").isTrue();
        advance(3 * PERIOD_NANOS);
        assertThat(channel.isActive()).as("closed within a sweep period after 1.5 keep alives").isFalse();
    }

    @Test
    void clientThatSendsPackets_staysConnected() {
        connect(10);

        for (int i = 0; i < 10; i++) {
            advance(TimeUnit.SECONDS.toNanos(5));
            channel.writeInbound(encode(MqttMessage.PINGREQ));
            ReferenceCountUtil.release(channel.readOutbound());
        }
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void connectionWithoutConnect_isClosedAfterTheConnectTimeout_notBefore() {
        channel = EmbeddedChannel.builder().ticker(ticker).handlers(initializer).build();

        advance(TimeUnit.SECONDS.toNanos(limits.connectTimeoutSeconds()) - PERIOD_NANOS);
        assertThat(channel.isActive()).isTrue();
        advance(2 * PERIOD_NANOS);
        assertThat(channel.isActive()).isFalse();
    }

    private void connect(int keepAlive) {
        channel = EmbeddedChannel.builder().ticker(ticker).handlers(initializer).build();
        channel.writeInbound(encode(MqttMessageBuilders.connect().clientId("idle-1")
                .protocolVersion(MqttVersion.MQTT_3_1_1).keepAlive(keepAlive).cleanSession(true).build()));
        Object connack = decode(channel.readOutbound());
        assertThat(connack).isInstanceOf(MqttConnAckMessage.class);
        ReferenceCountUtil.release(connack);
    }

    private void advance(long nanos) {
        long step = PERIOD_NANOS / 2;
        for (long done = 0; done < nanos; done += step) {
            ticker.advance(Math.min(step, nanos - done), TimeUnit.NANOSECONDS);
            channel.runScheduledPendingTasks();
            channel.runPendingTasks();
            clock.runPendingTasks();
        }
    }

    private static ByteBuf encode(Object message) {
        EmbeddedChannel client = new EmbeddedChannel(MqttEncoder.INSTANCE);
        client.writeOutbound(message);
        ByteBuf bytes = client.readOutbound();
        client.finishAndReleaseAll();
        return bytes;
    }

    private static Object decode(ByteBuf bytes) {
        EmbeddedChannel client = new EmbeddedChannel(new MqttDecoder());
        client.writeInbound(bytes);
        Object message = client.readInbound();
        client.finishAndReleaseAll();
        return message;
    }
}
