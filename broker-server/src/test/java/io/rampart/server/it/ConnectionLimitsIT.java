package io.rampart.server.it;

import io.rampart.server.it.support.AdminHttp;
import io.rampart.server.it.support.EventLogFile;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPacket;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A listener's limits on new connections, end to end: {@code connection-rate} refuses the excess of a connect loop
 * and counts it; {@code per-address} limits hold per source address, with clients bound to several loopback
 * addresses (127.0.0.x); a refused connection is closed before anything is read, and other sources and listeners
 * are served.
 */
class ConnectionLimitsIT {

    @TempDir
    static Path dir;
    private static TestBroker broker;
    private static EventLogFile events;

    @BeforeAll
    static void start() {
        events = new EventLogFile(dir.resolve("events.log"));
        broker = TestBroker.startYaml("""
                data-dir: target/test-data
                listeners:
                  - {type: tcp, name: tcp, bind: 127.0.0.1, port: 0, allow-anonymous: true}
                  - {type: admin, name: admin, bind: 127.0.0.1, port: 0}
                  - type: tcp
                    name: rate
                    bind: 127.0.0.1
                    port: 0
                    allow-anonymous: true
                    connection-rate: 1
                    connection-burst: 5
                  - type: tcp
                    name: per-address-count
                    bind: 0.0.0.0
                    port: 0
                    allow-anonymous: true
                    per-address: {max-connections: 2}
                  - type: tcp
                    name: per-address-rate
                    bind: 0.0.0.0
                    port: 0
                    allow-anonymous: true
                    per-address: {connection-rate: 0.01, connection-burst: 2}
                """);
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
        if (events != null) {
            events.close();
        }
    }

    /** A client connecting from {@code source} (a loopback address) to {@code listener}; MQTT not sent yet. */
    private static RawMqttClient from(String source, String listener) {
        return RawMqttClient.tcp(broker.port(listener), socket -> {
            try {
                socket.bind(new InetSocketAddress(source, 0));
            } catch (java.io.IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Whether the broker answers CONNECT with CONNACK (true) or had closed the connection before reading it (false). */
    private static boolean connects(RawMqttClient client, String clientId) {
        try {
            client.send(RawPackets.connect(RawPackets.V5, clientId));
            return client.read().type() == RawPacket.CONNACK;
        } catch (AssertionError | UncheckedIOException closed) {
            return false;
        }
    }

    private static double refused(String reason) {
        return new AdminHttp(broker.port("admin")).scrape().value("rampart_connections_refused_total", "reason", reason);
    }

    @Test
    void connectionRate_refusesTheExcessOfAConnectLoop_andCountsIt() {
        long started = System.nanoTime();
        int admitted = 0;
        int refusedHere = 0;
        for (int i = 0; i < 30; i++) {
            try (RawMqttClient c = RawMqttClient.tcp(broker.port("rate"))) {
                if (connects(c, "rate-" + i)) {
                    admitted++;
                } else {
                    refusedHere++;
                }
            }
        }
        double elapsed = (System.nanoTime() - started) / 1e9;

        // 5 at once, then 1 per second
        assertThat(admitted).as("admitted in %.1f s", elapsed).isBetween(5, (int) (5 + elapsed * 1.5) + 2);
        assertThat(refused("connection-rate")).isEqualTo(refusedHere);
        assertThat(events.await("event=connections-refused", "listener=rate"))
                .contains("limit=connection-rate", "value=1", "source=none",
                        "reason=\"listener over its connection-rate\"");
        // the other listeners are not affected
        try (RawMqttClient other = RawMqttClient.tcp(broker.tcpPort())) {
            other.connect(RawPackets.V5, "rate-elsewhere");
            assertThat(other.ping()).isTrue();
        }
    }

    @Test
    void perAddressMaxConnections_holdsPerSourceAddress() {
        List<RawMqttClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                RawMqttClient c = from("127.0.0.2", "per-address-count");
                open.add(c);
                c.connect(RawPackets.V5, "source-2-" + i);
            }
            try (RawMqttClient third = from("127.0.0.2", "per-address-count")) {
                assertThat(connects(third, "source-2-extra")).as("a third connection from 127.0.0.2").isFalse();
            }
            for (int i = 0; i < 2; i++) {
                RawMqttClient c = from("127.0.0.3", "per-address-count");
                open.add(c);
                c.connect(RawPackets.V5, "source-3-" + i);
                assertThat(c.ping()).isTrue();
            }
            assertThat(refused("address-max-connections")).isEqualTo(1);
            assertThat(events.await("event=connections-refused", "listener=per-address-count "))
                    .contains("limit=per-address.max-connections", "value=2", "source=127.0.0.2/32");

            // one of 127.0.0.2's connections closes: its place can be taken again
            open.remove(0).close();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).ignoreExceptions()
                    .untilAsserted(() -> {
                        try (RawMqttClient again = from("127.0.0.2", "per-address-count")) {
                            again.connect(RawPackets.V5, "source-2-again");
                            assertThat(again.ping()).isTrue();
                        }
                    });
        } finally {
            open.forEach(RawMqttClient::close);
        }
    }

    @Test
    void perAddressConnectionRate_holdsPerSourceAddress() {
        int admitted = 0;
        for (int i = 0; i < 5; i++) {
            try (RawMqttClient c = from("127.0.0.4", "per-address-rate")) {
                if (connects(c, "rate-4-" + i)) {
                    admitted++;
                }
            }
        }
        assertThat(admitted).as("the burst of 127.0.0.4").isEqualTo(2);
        try (RawMqttClient other = from("127.0.0.5", "per-address-rate")) {
            assertThat(connects(other, "rate-5")).as("another source").isTrue();
        }
        assertThat(refused("address-connection-rate")).isEqualTo(3);
    }
}
