package io.rampart.server.it;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.EventLogFile;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.UUID;

import static io.rampart.server.it.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The event log through the shipped {@code config/log4j2.xml} appender, which buffers its lines: a line still
 * reaches {@code events.log} shortly after the event, while the broker keeps running, not only at shutdown.
 */
class EventLogFlushIT {

    @TempDir
    static Path dir;
    private static EventLogFile events;
    private static TestBroker broker;
    @RegisterExtension
    final Clients clients = new Clients(broker);

    @BeforeAll
    static void start() {
        events = EventLogFile.shipped(dir);
        broker = TestBroker.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
        events.close();
    }

    @Test
    void eventLine_throughTheShippedBufferedAppender_isReadableInTheFileWhileTheBrokerRuns() {
        String clientId = "flush-" + UUID.randomUUID().toString().substring(0, 8);
        Mqtt5AsyncClient c = clients.hive5(RawTransport.TCP, clientId);
        await(c.connect());
        assertThat(events.await("event=client-connected", "client=\"" + clientId + "\""))
                .contains(" listener=tcp ");
    }
}
