package io.rampart.server.security;

import io.rampart.core.cluster.SharedState;
import io.rampart.core.cluster.SharedTable;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

class BruteForceBrakeSharingTest {

    private final AtomicLong now = new AtomicLong();

    /** Nodes whose signals reach every other node at once. */
    private static final class Signals {
        private final List<Map<String, Consumer<byte[]>>> nodes = new ArrayList<>();

        SharedState node() {
            Map<String, Consumer<byte[]>> handlers = new HashMap<>();
            nodes.add(handlers);
            return new SharedState() {
                @Override
                public SharedTable table(String name) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public void signal(String channel, byte[] data) {
                    for (Map<String, Consumer<byte[]>> other : nodes) {
                        if (other != handlers && other.containsKey(channel)) {
                            other.get(channel).accept(data);
                        }
                    }
                }

                @Override
                public void onSignal(String channel, Consumer<byte[]> handler) {
                    handlers.put(channel, handler);
                }

                @Override
                public CompletionStage<byte[]> ask(String node, String channel, byte[] request, Duration timeout) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public void onAsk(String channel, Function<byte[], byte[]> handler) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public String nodeName() {
                    return "node-" + nodes.size();
                }

                @Override
                public List<String> nodeNames() {
                    return List.of();
                }
            };
        }
    }

    private BruteForceBrake brake(Signals signals) {
        BruteForceBrake b = new BruteForceBrake(true, 3, 100, 1_000, 60, now::get);
        b.share(signals.node());
        return b;
    }

    @Test
    void failuresOnTwoNodes_addUp_onEachNode() throws Exception {
        Signals signals = new Signals();
        BruteForceBrake one = brake(signals);
        BruteForceBrake two = brake(signals);
        InetAddress from = InetAddress.getByName("192.0.2.7");

        one.failure(from, "carol");
        one.failure(from, "carol");
        assertThat(two.delayMillis(from, "carol")).isZero();
        two.failure(from, "carol");

        assertThat(one.delayMillis(from, "carol")).isEqualTo(100);
        assertThat(two.delayMillis(from, "carol")).isEqualTo(100);
        assertThat(two.delayMillis(InetAddress.getByName("192.0.2.8"), "carol")).as("per user").isEqualTo(100);
    }

    @Test
    void successOnOneNode_clearsTheUsersFailuresOnEveryNode() throws Exception {
        Signals signals = new Signals();
        BruteForceBrake one = brake(signals);
        BruteForceBrake two = brake(signals);
        InetAddress from = InetAddress.getByName("192.0.2.7");
        for (int i = 0; i < 3; i++) {
            one.failure(from, "carol");
        }
        two.success(from, "carol");
        assertThat(one.delayMillis(from, "carol")).isZero();
        assertThat(one.trackedAddresses()).isZero();
    }

    @Test
    void withoutACluster_nothingIsSent_andCountsStayLocal() throws Exception {
        BruteForceBrake alone = new BruteForceBrake(true, 3, 100, 1_000, 60, now::get);
        for (int i = 0; i < 3; i++) {
            alone.failure(InetAddress.getByName("192.0.2.7"), "carol");
        }
        assertThat(alone.delayMillis(InetAddress.getByName("192.0.2.7"), null)).isEqualTo(100);
    }
}
