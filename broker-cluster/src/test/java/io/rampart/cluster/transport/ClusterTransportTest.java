package io.rampart.cluster.transport;

import io.rampart.cluster.ClusterSettings;
import io.rampart.cluster.support.Nodes;
import org.jgroups.Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ClusterTransportTest {

    @TempDir
    Path tmp;

    private ExecutorService executor;
    private ScheduledExecutorService timer;
    private final List<ClusterTransport> open = new ArrayList<>();

    @BeforeEach
    void setUp() {
        executor = Executors.newCachedThreadPool();
        timer = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterEach
    void tearDown() {
        for (ClusterTransport t : open) {
            t.close();
        }
        executor.shutdownNow();
        timer.shutdownNow();
    }

    private ClusterTransport start(ClusterSettings settings) throws Exception {
        ClusterTransport t = ClusterTransport.open(settings, executor, timer);
        open.add(t);
        t.connect();
        return t;
    }

    @Test
    void twoTrustedNodes_formOneCluster_shareCaches_andTalk_whileAnUntrustedNodeStaysOut() throws Exception {
        List<ClusterSettings> nodes = Nodes.settings("n", 3, tmp.resolve("ca"));
        ClusterTransport a = start(nodes.get(0));
        ClusterTransport b = start(nodes.get(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> a.membership().members().size() == 2
                && b.membership().members().size() == 2);
        assertThat(a.membership().isMinority()).isFalse();

        a.grid().retained().put("topic", "hello".getBytes(StandardCharsets.UTF_8));
        assertThat(b.grid().retained().get("topic")).asString(StandardCharsets.UTF_8).isEqualTo("hello");
        a.grid().routes().put("n-1\0a/#", 3);
        assertThat(b.grid().routes().get("n-1\0a/#")).isEqualTo(3);

        List<String> received = new CopyOnWriteArrayList<>();
        b.messenger().on(Messenger.FORWARD, (from, in) -> received.add(in.readString()));
        Address bAddress = b.messenger().localAddress();
        a.messenger().send(bAddress, new Wire.Out(16).writeByte(Messenger.FORWARD).writeString("ping").toByteArray());
        await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("ping"));

        ClusterSettings c = nodes.get(2);
        ClusterSettings untrusted = Nodes.node(c.nodeName(), c.port(), c.members(), tmp.resolve("other-ca"));
        ClusterTransport intruder = start(untrusted);
        assertThat(intruder.membership().members()).hasSize(1);
        assertThat(intruder.membership().isMinority()).as("alone among 3 configured nodes").isTrue();
        assertThat(a.membership().members()).hasSize(2);
        assertThat(b.membership().members()).hasSize(2);
    }
}
