package io.rampart.server.sys;

import io.rampart.core.BrokerCore;
import io.rampart.core.message.Message;
import io.rampart.core.message.MessageProperties;
import io.rampart.server.metrics.BrokerMetrics;
import io.rampart.server.metrics.SessionStats;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Mosquitto-style broker statistics, published as retained QoS 0 messages under {@code $SYS/broker/} at a
 * fixed interval through the normal router. A filter starting with a wildcard never matches a {@code $}
 * topic, so only clients that subscribe to {@code $SYS/...} explicitly receive them, and only when their
 * permissions let them subscribe to and read those topics.
 */
public final class SysTopicsPublisher implements AutoCloseable {

    /** The publisher id of these messages (only No Local subscriptions look at it). */
    static final String PUBLISHER = "$SYS";

    private final BrokerCore core;
    private final BrokerMetrics metrics;
    private final String version;
    private final long startedAt = System.nanoTime();
    private final ScheduledFuture<?> task;

    public SysTopicsPublisher(BrokerCore core, BrokerMetrics metrics, String version, ScheduledExecutorService timers,
                              int intervalSeconds) {
        this.core = core;
        this.metrics = metrics;
        this.version = version;
        this.task = timers.scheduleAtFixedRate(this::publishSafely, 0, intervalSeconds, TimeUnit.SECONDS);
    }

    /** The values of one round, by topic. */
    Map<String, String> values() {
        SessionStats.Snapshot s = metrics.sessionSnapshot();
        Map<String, String> v = new LinkedHashMap<>();
        v.put("$SYS/broker/version", "rampart " + version);
        v.put("$SYS/broker/uptime", (System.nanoTime() - startedAt) / 1_000_000_000L + " seconds");
        v.put("$SYS/broker/clients/connected", Long.toString(s.active()));
        v.put("$SYS/broker/clients/disconnected", Long.toString(s.persistent()));
        v.put("$SYS/broker/clients/total", Long.toString(s.active() + s.persistent()));
        v.put("$SYS/broker/messages/received", Long.toString(metrics.messagesReceived()));
        v.put("$SYS/broker/messages/sent", Long.toString(metrics.messagesSent()));
        v.put("$SYS/broker/messages/dropped", Long.toString(metrics.droppedTotal()));
        v.put("$SYS/broker/messages/queued", Long.toString(s.queued()));
        v.put("$SYS/broker/messages/inflight", Long.toString(s.inflight()));
        v.put("$SYS/broker/bytes/received", Long.toString(metrics.bytesReceived()));
        v.put("$SYS/broker/bytes/sent", Long.toString(metrics.bytesSent()));
        v.put("$SYS/broker/subscriptions/count", Integer.toString(core.subscriptions().subscriptionCount()));
        v.put("$SYS/broker/retained messages/count", Integer.toString(core.retained().size()));
        return v;
    }

    private void publishSafely() {
        try {
            for (Map.Entry<String, String> e : values().entrySet()) {
                core.router().publish(Message.of(e.getKey(), 0, true, e.getValue().getBytes(StandardCharsets.UTF_8),
                        MessageProperties.NONE, PUBLISHER, 0));
            }
        } catch (RuntimeException e) {
            org.apache.logging.log4j.LogManager.getLogger(SysTopicsPublisher.class)
                    .warn("publishing $SYS topics failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
