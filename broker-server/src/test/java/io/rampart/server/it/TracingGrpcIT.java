package io.rampart.server.it;

import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.OtlpReceiver;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.TestBroker;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static io.rampart.server.it.support.Await.await;
import static io.rampart.server.it.support.Connects.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * OTLP export over gRPC: the broker's spans reach a real HTTP/2 endpoint speaking the gRPC
 * {@code TraceService/Export} call (cleartext, prior knowledge), with the configured headers.
 */
class TracingGrpcIT {

    private static OtlpReceiver otlp;
    private static TestBroker broker;
    @RegisterExtension
    final Clients clients = new Clients(broker);

    @BeforeAll
    static void start() {
        otlp = OtlpReceiver.grpc();
        broker = TestBroker.startYaml("""
                data-dir: target/test-data
                listeners:
                  - {type: tcp, name: tcp, bind: 127.0.0.1, port: 0, allow-anonymous: true}
                  - {type: websocket, name: ws, bind: 127.0.0.1, port: 0, path: /mqtt, allow-anonymous: true}
                tracing:
                  protocol: grpc
                  endpoint: %s
                  headers: {x-collector-tenant: rampart-test}
                  compression: gzip
                  sampler: {ratio: 1.0}
                """.formatted(otlp.endpoint()));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
        if (otlp != null) {
            otlp.close();
        }
    }

    @Test
    void spans_areExportedOverGrpc_withTheConfiguredHeaders() {
        var client = clients.connectedHive5(RawTransport.TCP, "grpc-traced");
        await(client.publishWith().topic("grpc/t").payload(utf8("x")).send());

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !otlp.spans("PUBLISH").isEmpty()
                && !otlp.spans("CONNECT").isEmpty());
        assertThat(otlp.spans("CONNECT").get(0).attributes()).containsEntry("messaging.client.id", "grpc-traced")
                .containsEntry("rampart.outcome", "accepted");
        assertThat(otlp.spans("PUBLISH").get(0).attributes()).containsEntry("messaging.destination.name", "grpc/t");
        assertThat(otlp.requestHeaders()).allSatisfy(headers -> assertThat(headers)
                .containsEntry(":path", "/opentelemetry.proto.collector.trace.v1.TraceService/Export")
                .containsEntry("x-collector-tenant", "rampart-test").containsEntry("grpc-encoding", "gzip"));
    }
}
