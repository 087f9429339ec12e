package io.rampart.server.it;

import io.rampart.server.it.support.EventLogFile;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPacket;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.rampart.server.it.support.RawPackets.V3_1_1;
import static io.rampart.server.it.support.RawPackets.V5;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mqtt.max-subscriptions-per-client}: a session holds at most that many subscriptions, whatever its
 * permissions allow; one more is refused per filter, re-subscribing a filter it holds is not one more, and
 * unsubscribing frees a place.
 */
class SubscriptionQuotaIT {

    private static TestBroker broker;

    @BeforeAll
    static void start() {
        broker = TestBroker.startWithMqtt("max-subscriptions-per-client: 3");
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {V3_1_1, V5})
    void oneSubscriptionMoreThanTheQuota_isRefused_andAFreedPlaceCanBeTaken(int version) throws Exception {
        Path dir = Files.createTempDirectory("quota");
        String client = "quota-" + version;
        int refused = version == V5 ? 0x97 : 0x80;
        try (EventLogFile events = new EventLogFile(dir.resolve("events.log"));
             RawMqttClient raw = RawTransport.TCP.open(broker)) {
            raw.connect(version, client);
            assertThat(raw.subscribe(1, 1, "quota/a", "quota/b", "quota/c").reasonCodes()).containsExactly(1, 1, 1);

            RawPacket suback = raw.subscribe(2, 0, "quota/d", "quota/a", "$share/g/quota/e");
            assertThat(suback.reasonCodes()).as("d and e beyond the quota, a replaced").containsExactly(refused, 0, refused);
            assertThat(events.await("event=subscription-refused", "client=\"" + client + "\"", "quota/d"))
                    .contains("the session holds 3 subscriptions (mqtt.max-subscriptions-per-client)");

            raw.send(RawPackets.unsubscribe(version, 3, "quota/b"));
            raw.expect(RawPacket.UNSUBACK);
            assertThat(raw.subscribe(4, 1, "quota/d").reasonCodes()).containsExactly(1);
            assertThat(raw.ping()).isTrue();
        }
    }
}
