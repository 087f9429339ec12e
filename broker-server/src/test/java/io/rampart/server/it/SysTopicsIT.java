package io.rampart.server.it;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.SecSetup;
import io.rampart.server.it.support.TestBroker;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;

import static io.rampart.server.it.support.Await.await;
import static io.rampart.server.it.support.Await.failure;
import static io.rampart.server.it.support.Connects.connect5;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code $SYS/broker/...} topics: published at the interval as retained messages through the router, received
 * by a client that subscribes to them explicitly, never by a {@code #} subscription, and refused to a client
 * whose permissions do not cover them.
 */
class SysTopicsIT {

    private static final String ALICE_PW = "alice-Pa55-sys";

    @TempDir
    static Path dir;
    private static TestBroker broker;
    @RegisterExtension
    final Clients clients = new Clients(broker);

    @BeforeAll
    static void start() {
        Path users = dir.resolve("users.yaml");
        SecSetup.writeUsers(users, """
                users:
                  - username: alice
                    password: "%s"
                    permissions:
                      - topic: "alice/#"
                """.formatted(SecSetup.hash(ALICE_PW)));
        broker = TestBroker.startYaml("""
                data-dir: target/test-data
                listeners:
                  - {type: tcp, name: tcp, bind: 127.0.0.1, port: 0, allow-anonymous: true}
                  - {type: tcp, name: secure, bind: 127.0.0.1, port: 0}
                sys-topics:
                  enabled: true
                  interval: 1
                security:
                  realms:
                    - {name: local, type: file, path: "%s"}
                  pipelines:
                    - name: secure
                      listeners: [secure]
                      authentication:
                        - {type: password, realm: local}
                      authorization:
                        - {type: realm, realm: local}
                  brute-force: {enabled: false}
                """.formatted(users));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static String text(Mqtt5Publish p) {
        return new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void sysTopics_arePublishedAtTheInterval_toExplicitSubscribersOnly() {
        Mqtt5AsyncClient everything = clients.connectedHive5(RawTransport.TCP, "sys-all-" + UUID.randomUUID());
        BlockingQueue<Mqtt5Publish> all = Clients.inbox(everything);
        await(everything.subscribeWith().topicFilter("#").send());

        Mqtt5AsyncClient sys = clients.connectedHive5(RawTransport.TCP, "sys-reader-" + UUID.randomUUID());
        Map<String, String> latest = new ConcurrentHashMap<>();
        List<Mqtt5Publish> live = new java.util.concurrent.CopyOnWriteArrayList<>();
        sys.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL, p -> {
            latest.put(p.getTopic().toString(), text(p));
            if (!p.isRetain()) {
                live.add(p);
            }
        });
        await(sys.subscribeWith().topicFilter("$SYS/broker/#").send());

        // a later round, delivered live, proves the interval publication (not just the retained copies)
        Awaitility.await("a live $SYS round").atMost(Duration.ofSeconds(10))
                .until(() -> live.stream().anyMatch(p -> p.getTopic().toString().equals("$SYS/broker/uptime")));
        assertThat(latest).containsKeys("$SYS/broker/version", "$SYS/broker/uptime", "$SYS/broker/clients/connected",
                "$SYS/broker/messages/received", "$SYS/broker/messages/sent", "$SYS/broker/bytes/received",
                "$SYS/broker/subscriptions/count");
        assertThat(latest.get("$SYS/broker/version")).startsWith("rampart ");
        assertThat(latest.get("$SYS/broker/uptime")).endsWith(" seconds");
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> Long.parseLong(latest.get("$SYS/broker/clients/connected")) >= 2);

        List<Mqtt5Publish> seenByHash = new ArrayList<>(all);
        assertThat(seenByHash).noneMatch(p -> p.getTopic().toString().startsWith("$"));
    }

    @Test
    void clientWithoutPermission_cannotSubscribeToSys() {
        Mqtt5AsyncClient alice = clients.hive5On("secure", "sys-alice-" + UUID.randomUUID());
        assertThat(connect5(alice, "alice", ALICE_PW)).isZero();
        Throwable refused = failure(alice.subscribeWith().topicFilter("$SYS/#").send());
        assertThat(refused).isInstanceOf(Mqtt5SubAckException.class);
        assertThat(((Mqtt5SubAckException) refused).getMqttMessage().getReasonCodes())
                .containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
    }
}
