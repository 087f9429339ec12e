package io.rampart.cluster.support;

import io.rampart.cluster.ClusterEvents;
import io.rampart.cluster.ClusterMetrics;
import io.rampart.cluster.ClusterNode;
import io.rampart.cluster.ClusterSettings;
import io.rampart.cluster.NodeInfo;
import io.rampart.core.BrokerCore;
import io.rampart.core.MqttLimits;
import io.rampart.core.message.Message;
import io.rampart.core.session.DropReason;
import io.rampart.core.session.Outgoing;
import io.rampart.core.session.Session;
import io.rampart.core.session.SessionListener;
import io.rampart.core.session.SessionOutput;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** A broker core joined to a cluster in this JVM, with a record of the wills it published. */
public final class TestNode implements AutoCloseable {

    public final ClusterSettings settings;
    public final ClusterNode node;
    public final BrokerCore core;
    public final List<Message> wills = new CopyOnWriteArrayList<>();
    public final List<String> events = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

    public TestNode(ClusterSettings settings) throws Exception {
        this.settings = settings;
        this.node = ClusterNode.create(settings, new NodeInfo(settings.nodeName(), "test", null, Instant.now()),
                ClusterMetrics.NONE, new ClusterEvents() {
                    @Override
                    public void joined(String name) {
                        events.add("joined " + name);
                    }

                    @Override
                    public void left(String name, boolean gracefully) {
                        events.add("left " + name + (gracefully ? " gracefully" : ""));
                    }

                    @Override
                    public void minorityEntered(int members, int expected) {
                        events.add("minority");
                    }
                });
        this.core = new BrokerCore(MqttLimits.DEFAULTS, timers, new SessionListener() {
            @Override
            public void messageDropped(String clientId, Message message, int qos, DropReason reason) {
            }

            @Override
            public void sessionExpired(String clientId) {
            }

            @Override
            public void willPublished(String clientId, Message will) {
                wills.add(will);
            }
        }, node.seams());
        node.open(core);
    }

    /** Takes every message the session has for sending now, acknowledging QoS 1 (and completing QoS 2) at once. */
    public static List<Message> drain(Session session) {
        List<Message> out = new ArrayList<>();
        Outgoing o;
        while ((o = session.pollForSend(65_535, System.nanoTime())) != null) {
            out.add(o.message());
            if (o.qos() == 1) {
                session.puback(o.packetId());
            } else if (o.qos() == 2) {
                session.pubrec(o.packetId());
                session.pubcomp(o.packetId());
            }
        }
        return out;
    }

    @Override
    public void close() {
        node.close();
        timers.shutdownNow();
    }

    /** A connection that remembers being taken over. */
    public static final class Output implements SessionOutput {
        public volatile boolean takenOver;

        @Override
        public void wakeup() {
        }

        @Override
        public void takenOver() {
            takenOver = true;
        }
    }
}
