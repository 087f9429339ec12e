package io.rampart.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import io.rampart.server.it.support.AdminClient;
import io.rampart.server.it.support.AdminSetup;
import io.rampart.server.it.support.ClusterProcesses;
import io.rampart.server.it.support.PubMosquitto;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.HttpCookie;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The security state a cluster shares, with three broker processes (the fat JAR) and real clients: a ban set on one
 * node refuses and disconnects clients on another, an API token created on one node works on another until it is
 * revoked anywhere, wrong passwords spread over two nodes meet one brute-force brake, and a detection raised on one
 * node is listed and acknowledged on another.
 */
class ClusterSecurityIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The source addresses of the password guesses, one per test, so their counts stay apart. */
    private static final String GUESSER = "127.0.0.31";
    private static final String PROBER = "127.0.0.21";
    private static Path dir;
    private static ClusterProcesses cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        dir = Files.createTempDirectory("rampart-cluster-security-it");
        cluster = ClusterProcesses.start(dir, 3,
                "brute-force: {enabled: true, threshold: 3, initial-delay-ms: 200, max-delay-ms: 400, reset-after: 60}\n",
                "detections: {auth-failures-per-address: {threshold: 3, window: 5m, ipv4-prefix: 32}}\n");
        // The first password check of a freshly started node may be slow on a loaded machine: done once here, so the
        // guesses below are answered within the security pipeline's timeout.
        for (ClusterProcesses.Node node : cluster.nodes()) {
            await().atMost(WAIT).until(() -> pub(node, "-i", "warm-" + node.name, "-u", "device-1", "-P",
                    AdminSetup.PASSWORD).exitCode() == 0);
        }
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String run() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static PubMosquitto.Result pub(ClusterProcesses.Node node, String... args) throws Exception {
        String[] all = new String[args.length + 6];
        System.arraycopy(new String[]{"-V", "mqttv5", "-t", "cluster-sec/t", "-m", "x"}, 0, all, 0, 6);
        System.arraycopy(args, 0, all, 6, args.length);
        return PubMosquitto.runOn(node.mqttPort, "mosquitto_pub", all);
    }

    /** The access-log line of the CONNECT of {@code clientId} on {@code node}, once written. */
    private static String accessLine(ClusterProcesses.Node node, String clientId) {
        String needle = "client=\"" + clientId + "\"";
        return await().atMost(WAIT).until(() -> node.accessLog().lines().filter(l -> l.contains(needle))
                .findFirst().orElse(null), l -> l != null);
    }

    @Test
    void banOnNode1_disconnectsTheClientOnNode2_andRefusesMosquittoPubThere() throws Exception {
        String victim = "victim-" + run();
        List<Throwable> disconnects = new CopyOnWriteArrayList<>();
        Mqtt5BlockingClient client = MqttClient.builder().useMqttVersion5().identifier(victim)
                .serverHost("127.0.0.1").serverPort(cluster.node(2).mqttPort)
                .addDisconnectedListener(ctx -> {
                    if (ctx.getSource() == MqttDisconnectSource.SERVER) {
                        disconnects.add(ctx.getCause());
                    }
                }).buildBlocking();
        client.connect();
        assertThat(pub(cluster.node(2), "-i", victim + "-before").exitCode()).isZero();

        AdminClient.Answer created = cluster.node(1).admin().post("/api/v1/bans",
                "{\"kind\":\"client-id\",\"value\":\"" + victim + "\",\"reason\":\"abuse\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().path("id").asText();

        await().atMost(WAIT).until(() -> !disconnects.isEmpty());
        assertThat(disconnects.get(0)).isInstanceOf(Mqtt5DisconnectException.class);
        assertThat(((Mqtt5DisconnectException) disconnects.get(0)).getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5DisconnectReasonCode.ADMINISTRATIVE_ACTION);
        PubMosquitto.Result refused = pub(cluster.node(2), "-i", victim);
        assertThat(refused.stderr()).contains("Banned");
        assertThat(refused.exitCode()).isEqualTo(0x8A);
        assertThat(cluster.node(3).admin().get("/api/v1/bans").json().path("items"))
                .extracting(n -> n.path("id").asText()).contains(id);

        assertThat(cluster.node(3).admin().delete("/api/v1/bans/" + id).status()).isEqualTo(204);
        await().atMost(WAIT).until(() -> pub(cluster.node(2), "-i", victim).exitCode() == 0);
    }

    @Test
    void tokenCreatedOnNode1_worksOnNode2_andRevokedOnNode2_isRefusedOnNode1() {
        AdminClient.Answer created = cluster.node(1).admin().post("/api/v1/tokens",
                "{\"roles\":[\"viewer\"],\"expiresIn\":\"1h\",\"description\":\"cluster\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String token = created.json().path("token").asText();
        String id = created.json().path("id").asText();
        AdminClient onNode1 = AdminClient.http(cluster.node(1).adminPort).bearer(token);
        AdminClient onNode2 = AdminClient.http(cluster.node(2).adminPort).bearer(token);
        assertThat(onNode2.get("/api/v1/clients").status()).isEqualTo(200);
        assertThat(onNode2.get("/api/v1/whoami").json().path("authenticationMethod").asText()).isEqualTo("token");

        assertThat(cluster.node(2).admin().delete("/api/v1/tokens/" + id).status()).isEqualTo(204);
        await().atMost(WAIT).until(() -> onNode1.get("/api/v1/clients").status() == 401);
        assertThat(onNode2.get("/api/v1/clients").status()).isEqualTo(401);
        assertThat(cluster.node(1).home.resolve("data/admin/tokens.json")).content().doesNotContain(id);
        assertThat(cluster.node(2).home.resolve("data/admin/tokens.json")).content()
                .doesNotContain(token.substring(token.lastIndexOf('_') + 1));
    }

    @Test
    void clientList_showsTheClientsOfEveryNode_withTheirNode_andActsOnClientsOfOtherNodes() throws Exception {
        String run = run();
        Mqtt5BlockingClient onNode1 = MqttClient.builder().useMqttVersion5().identifier("list-" + run + "-a")
                .serverHost("127.0.0.1").serverPort(cluster.node(1).mqttPort).buildBlocking();
        Mqtt5BlockingClient onNode3 = MqttClient.builder().useMqttVersion5().identifier("list-" + run + "-b")
                .serverHost("127.0.0.1").serverPort(cluster.node(3).mqttPort).buildBlocking();
        List<Throwable> disconnects = new CopyOnWriteArrayList<>();
        Mqtt5BlockingClient kicked = MqttClient.builder().useMqttVersion5().identifier("list-" + run + "-c")
                .serverHost("127.0.0.1").serverPort(cluster.node(3).mqttPort)
                .addDisconnectedListener(ctx -> {
                    if (ctx.getSource() == MqttDisconnectSource.SERVER) {
                        disconnects.add(ctx.getCause());
                    }
                }).buildBlocking();
        onNode1.connect();
        onNode3.connect();
        kicked.connect();
        onNode3.subscribeWith().topicFilter("list/" + run + "/#").send();
        AdminClient node2 = cluster.node(2).admin();

        JsonNode page = await().atMost(WAIT).until(
                () -> node2.get("/api/v1/clients?prefix=list-" + run + "&limit=2").json(),
                p -> p.path("items").size() == 2);
        assertThat(page.path("items")).extracting(n -> n.path("clientId").asText() + "@" + n.path("node").asText())
                .containsExactly("list-" + run + "-a@node-1", "list-" + run + "-b@node-3");
        String cursor = page.path("nextCursor").asText();
        JsonNode next = node2.get("/api/v1/clients?prefix=list-" + run + "&limit=2&cursor="
                + java.net.URLEncoder.encode(cursor, java.nio.charset.StandardCharsets.UTF_8)).json();
        assertThat(next.path("items")).extracting(n -> n.path("clientId").asText()).containsExactly("list-" + run + "-c");
        assertThat(node2.get("/api/v1/clients?prefix=list-" + run + "&address=127.0.0.1").json().path("items"))
                .hasSize(3);

        JsonNode detail = node2.get("/api/v1/clients/list-" + run + "-b").json();
        assertThat(detail.path("node").asText()).isEqualTo("node-3");
        assertThat(detail.path("subscriptions")).extracting(n -> n.path("filter").asText())
                .containsExactly("list/" + run + "/#");

        assertThat(node2.delete("/api/v1/clients/list-" + run + "-c/connection").status()).isEqualTo(204);
        await().atMost(WAIT).until(() -> !disconnects.isEmpty());
        assertThat(((Mqtt5DisconnectException) disconnects.get(0)).getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5DisconnectReasonCode.ADMINISTRATIVE_ACTION);
        await().atMost(WAIT).until(() -> node2.get("/api/v1/clients/list-" + run + "-c").status() == 404);
        onNode1.disconnect();
        onNode3.disconnect();
        await().atMost(WAIT).until(() -> node2.get("/api/v1/clients?prefix=list-" + run).json().path("items")
                .isEmpty());
    }

    @Test
    void sessionCookieIssuedByNode1_isValidOnNode2_untilLogoutOnNode3() {
        AdminClient.Answer login = AdminClient.http(cluster.node(1).adminPort).post("/api/v1/session",
                "{\"username\":\"root\",\"password\":\"" + AdminSetup.PASSWORD + "\"}");
        assertThat(login.status()).as(login.body()).isEqualTo(201);
        HttpCookie cookie = HttpCookie.parse(login.header("Set-Cookie")).get(0);
        String header = cookie.getName() + "=" + cookie.getValue();
        String csrf = login.json().path("csrfToken").asText();
        AdminClient onNode1 = AdminClient.http(cluster.node(1).adminPort).header("Cookie", header);
        AdminClient onNode2 = AdminClient.http(cluster.node(2).adminPort).header("Cookie", header);
        AdminClient onNode3 = AdminClient.http(cluster.node(3).adminPort).header("Cookie", header);

        await().atMost(WAIT).until(() -> onNode2.get("/api/v1/clients").status() == 200);
        assertThat(onNode2.get("/api/v1/session").json().path("csrfToken").asText()).isEqualTo(csrf);
        assertThat(onNode3.header("X-Rampart-CSRF", csrf).delete("/api/v1/session").status()).isEqualTo(204);
        await().atMost(WAIT).until(() -> onNode1.get("/api/v1/clients").status() == 401
                && onNode2.get("/api/v1/clients").status() == 401);
    }

    @Test
    void wrongPasswordsSpreadOverTwoNodes_tripOneBruteForceBrake() throws Exception {
        String run = run();
        String user = "device-2";
        for (int i = 1; i <= 2; i++) {
            assertThat(pub(cluster.node(1), "-A", GUESSER, "-i", "bf-" + run + "-1-" + i, "-u", user, "-P",
                    "wrong-" + i).exitCode()).isEqualTo(0x86);
        }
        assertThat(pub(cluster.node(2), "-A", GUESSER, "-i", "bf-" + run + "-2-1", "-u", user, "-P", "wrong-3")
                .exitCode()).isEqualTo(0x86);
        assertThat(accessLine(cluster.node(2), "bf-" + run + "-2-1")).doesNotContain("brute-force delay");
        // Two failures on node 1 and one on node 2: the cluster has counted three, the threshold.
        assertThat(pub(cluster.node(2), "-A", GUESSER, "-i", "bf-" + run + "-2-2", "-u", user, "-P", "wrong-4")
                .exitCode()).isEqualTo(0x86);
        assertThat(accessLine(cluster.node(2), "bf-" + run + "-2-2")).contains("brute-force delay");
    }

    @Test
    void detectionRaisedOnNode1_isListedOnNode3_andAcknowledgedThere() throws Exception {
        String run = run();
        for (int i = 1; i <= 3; i++) {
            assertThat(pub(cluster.node(1), "-A", PROBER, "-i", "probe-" + run + "-" + i, "-u", "device-1", "-P",
                    "wrong-" + i).exitCode()).isEqualTo(0x86);
        }
        // Node 3 saw no failure from this address: what it lists for it, another node raised.
        AdminClient node3 = cluster.node(3).admin();
        JsonNode found = await().atMost(WAIT).until(() -> detection(node3), d -> d != null);
        assertThat(found.path("acknowledgedBy").isNull()).isTrue();

        String id = found.path("id").asText();
        AdminClient.Answer ack = node3.post("/api/v1/detections/" + id + "/acknowledge", "{\"note\":\"seen\"}");
        assertThat(ack.status()).as(ack.body()).isEqualTo(200);
        await().atMost(WAIT).until(() -> {
            for (JsonNode d : cluster.node(1).admin().get("/api/v1/detections?rule=auth-failures-per-address").json()
                    .path("items")) {
                if (d.path("id").asText().equals(id)) {
                    return "root".equals(d.path("acknowledgedBy").asText());
                }
            }
            return false;
        });
    }

    private static JsonNode detection(AdminClient admin) {
        for (JsonNode d : admin.get("/api/v1/detections?rule=auth-failures-per-address").json().path("items")) {
            if (PROBER.equals(d.path("key").asText())) {
                return d;
            }
        }
        return null;
    }
}
