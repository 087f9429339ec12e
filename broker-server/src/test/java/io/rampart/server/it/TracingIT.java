package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperty;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.opentelemetry.proto.trace.v1.Span;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.OtlpReceiver;
import io.rampart.server.it.support.OtlpReceiver.ReceivedSpan;
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
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import static io.rampart.server.it.support.Await.await;
import static io.rampart.server.it.support.Await.next;
import static io.rampart.server.it.support.Connects.connect3;
import static io.rampart.server.it.support.Connects.connect5;
import static io.rampart.server.it.support.Connects.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Distributed tracing end to end: the broker exports to a real OTLP/HTTP endpoint started here, whose requests are
 * decoded with the opentelemetry-proto classes. Checked: the CONNECT span with one child per security manager and no
 * credential anywhere; a device's {@code traceparent} continued through PUBLISH, authorize, route, enqueue and
 * deliver, and forwarded to a real MQTT 5 subscriber; MQTT 3 publishers starting new traces; invalid and unsampled
 * contexts; the subscriber's maximum packet size.
 */
class TracingIT {

    private static final String PASSWORD = "Tr4cing-S3cret-Passw0rd";
    private static final String WRONG_PASSWORD = "Wr0ng-Tr4cing-Passw0rd";
    private static final Duration EXPORTED = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    private static OtlpReceiver otlp;
    private static TestBroker broker;
    @RegisterExtension
    final Clients clients = new Clients(broker);

    @BeforeAll
    static void start() {
        otlp = OtlpReceiver.http();
        Path users = dir.resolve("users.yaml");
        SecSetup.writeUsers(users, """
                users:
                  - username: alice
                    password: "%s"
                    permissions:
                      - topic: "t/#"
                """.formatted(SecSetup.hash(PASSWORD)));
        broker = TestBroker.startYaml("""
                data-dir: target/test-data
                listeners:
                  - {type: tcp, name: tcp, bind: 127.0.0.1, port: 0}
                  - {type: websocket, name: ws, bind: 127.0.0.1, port: 0, path: /mqtt}
                security:
                  realms:
                    - {name: local, type: file, path: "%s"}
                  pipelines:
                    - name: devices
                      listeners: [tcp, ws]
                      authentication: [{type: password, realm: local}]
                      authorization: [{type: realm, realm: local}]
                  brute-force: {enabled: false}
                tracing:
                  endpoint: %s
                  headers:
                    authorization: "Bearer ${ENV:RAMPART_TEST_OTLP_TOKEN:-otlp-token-for-tests}"
                  sampler: {type: parent-based-ratio, ratio: 1}
                  resource:
                    deployment.environment: test
                """.formatted(users, otlp.endpoint()));
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
    void connect_isASpanWithOneChildPerManager_andNoCredentialInAnyAttribute() {
        assertThat(connect5(clients.hive5(RawTransport.TCP, "trace-connect-ok"), "alice", PASSWORD)).isZero();
        assertThat(connect5(clients.hive5(RawTransport.TCP, "trace-connect-bad"), "alice", WRONG_PASSWORD))
                .isEqualTo(0x86);

        ReceivedSpan ok = awaitSpan("CONNECT", "trace-connect-ok");
        assertThat(ok.kind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(ok.parentSpanId()).isEmpty();
        assertThat(ok.attributes()).containsEntry("rampart.outcome", "accepted").containsEntry("enduser.id", "alice")
                .containsEntry("rampart.listener", "tcp").containsEntry("network.protocol.version", "5.0");
        assertThat(ok.resource()).containsEntry("service.name", "rampart")
                .containsEntry("deployment.environment", "test");
        List<ReceivedSpan> children = awaitChildren(ok, 2);
        assertThat(children).extracting(s -> s.attribute("rampart.security.chain"))
                .containsExactlyInAnyOrder("authentication", "authorization");
        assertThat(children).allSatisfy(child -> {
            assertThat(child.traceId()).isEqualTo(ok.traceId());
            assertThat(child.name()).startsWith(child.attribute("rampart.security.chain")
                    .equals("authentication") ? "authenticate " : "authorize ");
            assertThat(child.attributes()).containsEntry("rampart.security.realm", "local")
                    .containsEntry("rampart.outcome", "allow");
        });

        ReceivedSpan bad = awaitSpan("CONNECT", "trace-connect-bad");
        assertThat(bad.attributes()).containsEntry("rampart.outcome", "refused").containsEntry("mqtt.reason_code", "134");
        List<ReceivedSpan> badChildren = awaitChildren(bad, 1);
        assertThat(badChildren.get(0).attributes()).containsEntry("rampart.security.chain", "authentication")
                .containsEntry("rampart.outcome", "deny");

        assertThat(otlp.spans()).flatExtracting(ReceivedSpan::allValues)
                .noneMatch(value -> value.contains(PASSWORD) || value.contains(WRONG_PASSWORD));
        assertThat(otlp.requestHeaders()).allSatisfy(headers ->
                assertThat(headers).containsEntry("authorization", "Bearer otlp-token-for-tests"));
    }

    @Test
    void publish_withSampledTraceparent_continuesTheTrace_throughEverySpan_toTheSubscriber() {
        Mqtt5AsyncClient subscriber = connected5("trace-sub-1");
        BlockingQueue<Mqtt5Publish> inbox = Clients.inbox(subscriber);
        await(subscriber.subscribeWith().topicFilter("t/continued").qos(MqttQos.AT_LEAST_ONCE).send());
        Mqtt5AsyncClient device = connected5("trace-device-1");
        String traceId = randomHex(16);
        String parentId = randomHex(8);

        await(device.publishWith().topic("t/continued").qos(MqttQos.AT_LEAST_ONCE).payload(utf8("21.5"))
                .userProperties(Mqtt5UserProperties.builder()
                        .add("traceparent", "00-" + traceId + "-" + parentId + "-01")
                        .add("site", "plant-7")
                        .add("tracestate", "vendor=abc")
                        .build())
                .send());

        Mqtt5Publish received = next(inbox);
        List<String[]> properties = pairs(received);
        assertThat(properties).extracting(p -> p[0]).containsExactly("traceparent", "site", "tracestate");
        String[] forwarded = properties.get(0)[1].split("-");
        assertThat(forwarded[0]).isEqualTo("00");
        assertThat(forwarded[1]).isEqualTo(traceId);
        assertThat(forwarded[2]).isNotEqualTo(parentId);
        assertThat(forwarded[3]).isEqualTo("01");
        assertThat(properties.get(1)[1]).isEqualTo("plant-7");
        assertThat(properties.get(2)[1]).isEqualTo("vendor=abc");

        ReceivedSpan deliver = awaitTraceSpan(traceId, "deliver");
        ReceivedSpan publish = awaitTraceSpan(traceId, "PUBLISH");
        ReceivedSpan authorize = awaitTraceSpan(traceId, "authorize");
        ReceivedSpan route = awaitTraceSpan(traceId, "route");
        ReceivedSpan enqueue = awaitTraceSpan(traceId, "enqueue");
        assertThat(publish.parentSpanId()).isEqualTo(parentId);
        assertThat(publish.kind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(publish.attributes()).containsEntry("messaging.destination.name", "t/continued")
                .containsEntry("messaging.client.id", "trace-device-1").containsEntry("mqtt.qos", "1")
                .containsEntry("rampart.outcome", "routed").containsEntry("rampart.route.receivers", "1");
        assertThat(authorize.parentSpanId()).isEqualTo(publish.spanId());
        assertThat(authorize.attributes()).containsEntry("rampart.outcome", "allowed");
        assertThat(route.parentSpanId()).isEqualTo(publish.spanId());
        assertThat(enqueue.parentSpanId()).isEqualTo(route.spanId());
        assertThat(enqueue.attributes()).containsEntry("messaging.client.id", "trace-sub-1")
                .containsEntry("rampart.delivery.queued", "true");
        assertThat(deliver.parentSpanId()).isEqualTo(enqueue.spanId());
        assertThat(deliver.kind()).isEqualTo(Span.SpanKind.SPAN_KIND_PRODUCER);
        assertThat(deliver.spanId()).isEqualTo(forwarded[2]);
        assertThat(deliver.attributes()).containsEntry("rampart.outcome", "written")
                .containsEntry("rampart.delivery.context_forwarded", "true")
                .containsEntry("messaging.client.id", "trace-sub-1");
    }

    @Test
    void publish_fromMqtt3_startsANewTrace_whichMqtt5SubscribersReceive_andMqtt3SubscribersDoNot() {
        Mqtt5AsyncClient subscriber5 = connected5("trace-sub5-v3");
        BlockingQueue<Mqtt5Publish> inbox5 = Clients.inbox(subscriber5);
        await(subscriber5.subscribeWith().topicFilter("t/from-v3").send());
        Mqtt3AsyncClient subscriber3 = clients.hive3(RawTransport.TCP, "trace-sub3-v3");
        BlockingQueue<Mqtt3Publish> inbox3 = Clients.inbox(subscriber3);
        assertThat(connect3(subscriber3, "alice", PASSWORD)).isZero();
        await(subscriber3.subscribeWith().topicFilter("t/from-v3").send());
        Mqtt3AsyncClient device = clients.hive3(RawTransport.TCP, "trace-device-v3");
        assertThat(connect3(device, "alice", PASSWORD)).isZero();

        await(device.publishWith().topic("t/from-v3").payload(utf8("on")).send());

        String traceId = pairs(next(inbox5)).get(0)[1].split("-")[1];
        assertThat(new String(next(inbox3).getPayloadAsBytes(), StandardCharsets.UTF_8)).isEqualTo("on");
        ReceivedSpan publish = awaitTraceSpan(traceId, "PUBLISH");
        assertThat(publish.parentSpanId()).isEmpty();
        assertThat(publish.attributes()).containsEntry("messaging.client.id", "trace-device-v3");
        Awaitility.await().atMost(EXPORTED).until(() -> otlp.trace(traceId).stream()
                .filter(s -> s.name().equals("deliver")).count() == 2);
        Map<String, String> forwardedBySubscriber = otlp.trace(traceId).stream()
                .filter(s -> s.name().equals("deliver"))
                .collect(Collectors.toMap(s -> s.attribute("messaging.client.id"),
                        s -> s.attribute("rampart.delivery.context_forwarded")));
        assertThat(forwardedBySubscriber).containsEntry("trace-sub5-v3", "true").containsEntry("trace-sub3-v3", "false");
    }

    @Test
    void publish_withInvalidTraceparent_startsANewTrace_andReplacesIt() {
        Mqtt5AsyncClient subscriber = connected5("trace-sub-invalid");
        BlockingQueue<Mqtt5Publish> inbox = Clients.inbox(subscriber);
        await(subscriber.subscribeWith().topicFilter("t/invalid").send());
        Mqtt5AsyncClient device = connected5("trace-device-invalid");
        String zeroTrace = "00-00000000000000000000000000000000-" + randomHex(8) + "-01";

        await(device.publishWith().topic("t/invalid").payload(utf8("x"))
                .userProperties(Mqtt5UserProperties.builder().add("traceparent", zeroTrace)
                        .add("tracestate", "vendor=abc").build())
                .send());

        List<String[]> properties = pairs(next(inbox));
        assertThat(properties).extracting(p -> p[0]).containsExactly("traceparent");
        String traceId = properties.get(0)[1].split("-")[1];
        assertThat(traceId).isNotEqualTo("00000000000000000000000000000000").hasSize(32);
        ReceivedSpan publish = awaitTraceSpan(traceId, "PUBLISH");
        assertThat(publish.parentSpanId()).isEmpty();
        assertThat(publish.attributes()).containsEntry("rampart.trace_context", "invalid");
    }

    @Test
    void publish_withUnsampledTraceparent_isNotRecorded_andPassesOnUnchanged() {
        Mqtt5AsyncClient subscriber = connected5("trace-sub-unsampled");
        BlockingQueue<Mqtt5Publish> inbox = Clients.inbox(subscriber);
        await(subscriber.subscribeWith().topicFilter("t/unsampled").send());
        Mqtt5AsyncClient device = connected5("trace-device-unsampled");
        String unsampledTrace = randomHex(16);
        String unsampled = "00-" + unsampledTrace + "-" + randomHex(8) + "-00";
        String sampledTrace = randomHex(16);

        await(device.publishWith().topic("t/unsampled").payload(utf8("1"))
                .userProperties(Mqtt5UserProperties.builder().add("traceparent", unsampled).build()).send());
        await(device.publishWith().topic("t/unsampled").payload(utf8("2"))
                .userProperties(Mqtt5UserProperties.builder()
                        .add("traceparent", "00-" + sampledTrace + "-" + randomHex(8) + "-01").build()).send());

        assertThat(pairs(next(inbox)).get(0)[1]).isEqualTo(unsampled);
        next(inbox);
        // The recorded message's spans are exported after the unrecorded one was handled.
        awaitTraceSpan(sampledTrace, "deliver");
        assertThat(otlp.trace(unsampledTrace)).isEmpty();
    }

    @Test
    void delivery_thatTheContextWouldMakeTooLargeForTheSubscriber_isSentWithoutIt() {
        Mqtt5AsyncClient subscriber = clients.hive5(RawTransport.TCP, "trace-sub-small");
        BlockingQueue<Mqtt5Publish> inbox = Clients.inbox(subscriber);
        // Without a trace context the PUBLISH below is 111 bytes, with one 183.
        await(subscriber.connectWith().cleanStart(true).simpleAuth().username("alice").password(utf8(PASSWORD))
                .applySimpleAuth().restrictions().maximumPacketSize(150).applyRestrictions().send());
        await(subscriber.subscribeWith().topicFilter("t/size").send());
        Mqtt3AsyncClient device = clients.hive3(RawTransport.TCP, "trace-device-size");
        assertThat(connect3(device, "alice", PASSWORD)).isZero();

        await(device.publishWith().topic("t/size").payload(new byte[100]).send());

        Mqtt5Publish received = next(inbox);
        assertThat(received.getPayloadAsBytes()).hasSize(100);
        assertThat(received.getUserProperties().asList()).isEmpty();
        ReceivedSpan deliver = awaitSpan("deliver", "trace-sub-small");
        assertThat(deliver.attributes()).containsEntry("rampart.delivery.context_forwarded", "false")
                .containsEntry("rampart.outcome", "written");
    }

    private Mqtt5AsyncClient connected5(String clientId) {
        Mqtt5AsyncClient client = clients.hive5(RawTransport.TCP, clientId);
        assertThat(connect5(client, "alice", PASSWORD)).isZero();
        return client;
    }

    private static ReceivedSpan awaitSpan(String name, String clientId) {
        return Awaitility.await().atMost(EXPORTED).until(() -> otlp.spans(name).stream()
                .filter(s -> clientId.equals(s.attribute("messaging.client.id"))).findFirst(),
                java.util.Optional::isPresent).orElseThrow();
    }

    private static ReceivedSpan awaitTraceSpan(String traceId, String name) {
        return Awaitility.await().atMost(EXPORTED).until(() -> otlp.trace(traceId).stream()
                .filter(s -> s.name().equals(name)).findFirst(), java.util.Optional::isPresent).orElseThrow();
    }

    private static List<ReceivedSpan> awaitChildren(ReceivedSpan parent, int count) {
        return Awaitility.await().atMost(EXPORTED).until(() -> otlp.trace(parent.traceId()).stream()
                .filter(s -> s.parentSpanId().equals(parent.spanId())).toList(), list -> list.size() == count);
    }

    private static List<String[]> pairs(Mqtt5Publish publish) {
        return publish.getUserProperties().asList().stream()
                .map(p -> new String[]{p.getName().toString(), p.getValue().toString()}).toList();
    }

    private static String randomHex(int bytes) {
        byte[] id = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(id);
        id[0] |= 1; // never all zero
        return HexFormat.of().formatHex(id);
    }
}
