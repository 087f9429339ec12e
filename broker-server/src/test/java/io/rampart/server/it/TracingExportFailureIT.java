package io.rampart.server.it;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.rampart.server.it.support.BrokerProcess;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.OtlpReceiver;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.SecLogCapture;
import io.rampart.server.it.support.TestBroker;
import io.rampart.server.logging.JulBridge;
import org.apache.logging.log4j.Level;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.logging.Handler;
import java.util.logging.Logger;

import static io.rampart.server.it.support.Await.await;
import static io.rampart.server.it.support.Connects.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the OpenTelemetry SDK reports about failed exports reaches the broker's Log4j2 application log (it logs
 * through java.util.logging, whose default handler would print to standard error), and repeated failures do not
 * flood it.
 */
class TracingExportFailureIT {

    private static final String SDK_LOGGERS = "io.opentelemetry";
    private static final String EXPORT_FAILED = "Failed to export";
    private static final String QUEUE_FULL = "because the queue is full";

    @Test
    void exportToAnUnreachableEndpoint_isReportedInTheApplicationLog_notOnStandardError() {
        String unreachable = "http://127.0.0.1:" + BrokerProcess.freePort() + "/v1/traces";
        try (SecLogCapture log = new SecLogCapture(SDK_LOGGERS, Level.WARN);
             TestBroker broker = tracedBroker(unreachable, 2048);
             Clients clients = new Clients(broker)) {
            assertThat(Logger.getLogger("").getHandlers()).isNotEmpty()
                    .allMatch(handler -> handler instanceof JulBridge, "the Log4j2 bridge");

            Mqtt5AsyncClient device = clients.connectedHive5(RawTransport.TCP, "export-unreachable");
            await(device.publishWith().topic("t/unreachable").payload(utf8("1")).send());

            Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(log.messages())
                    .anyMatch(m -> m.contains(EXPORT_FAILED) && m.contains("could not be executed")));
            assertThat(Arrays.stream(Logger.getLogger("").getHandlers()).map(Handler::getClass).distinct())
                    .containsExactly(JulBridge.class);
        }
    }

    @Test
    void exportsRefusedOverAndOver_areLoggedAFewTimes_notOncePerExport() {
        try (OtlpReceiver refusing = OtlpReceiver.refusing(400);
             SecLogCapture log = new SecLogCapture(SDK_LOGGERS, Level.WARN);
             TestBroker broker = tracedBroker(refusing.endpoint(), 2);
             Clients clients = new Clients(broker)) {
            Mqtt5AsyncClient device = clients.connectedHive5(RawTransport.TCP, "export-refused");

            // A queue of two spans: every PUBLISH fills a batch, so each one is an export of its own.
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
                await(device.publishWith().topic("t/refused").payload(utf8("1")).send());
                return refusing.requests() >= 20;
            });

            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(log.messages())
                    .anyMatch(m -> m.contains(EXPORT_FAILED) && m.contains("400")));
            // The SDK throttles its export errors (5 a minute, then 1); the bridge holds every JUL logger, such as the
            // span queue's "dropped" warnings after each export, to a burst of 5, then 1 a minute.
            assertThat(log.messages()).filteredOn(m -> m.contains(EXPORT_FAILED)).hasSizeLessThanOrEqualTo(7);
            assertThat(log.messages()).filteredOn(m -> m.contains(QUEUE_FULL)).hasSizeLessThanOrEqualTo(7);
        }
    }

    private static TestBroker tracedBroker(String endpoint, int maxQueueSize) {
        return TestBroker.startYaml("""
                data-dir: target/test-data
                listeners:
                  - {type: tcp, name: tcp, bind: 127.0.0.1, port: 0, allow-anonymous: true}
                tracing:
                  endpoint: %s
                  timeout: 2s
                  max-queue-size: %d
                  sampler: {ratio: 1.0}
                """.formatted(endpoint, maxQueueSize));
    }
}
