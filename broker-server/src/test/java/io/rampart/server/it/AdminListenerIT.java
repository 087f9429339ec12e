package io.rampart.server.it;

import io.rampart.server.RampartBroker;
import io.rampart.server.config.ConfigLoader;
import io.rampart.server.it.support.AdminClient;
import io.rampart.server.it.support.AdminHttp;
import io.rampart.server.it.support.AdminSetup;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.EventLogFile;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.TestBroker;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.rampart.server.it.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The admin listener: {@code /health/live} and {@code /health/ready} through startup, normal operation and
 * shutdown; log levels changed at runtime through {@code /api/v1/loggers/{name}} (the old path redirects);
 * unknown paths and methods.
 */
class AdminListenerIT {

    private static final String YAML = """
            data-dir: target/test-data
            listeners:
              - {type: tcp, name: tcp, bind: 127.0.0.1, port: 0, allow-anonymous: true}
              - {type: admin, name: admin, bind: 127.0.0.1, port: 0}
            """;

    @TempDir
    Path dir;

    @Test
    void ready_is503WhileStarting_200OnceListenersAreBound_503FromTheStartOfShutdown() throws Exception {
        RampartBroker broker = RampartBroker.prepare(ConfigLoader.parse(YAML, "admin.yaml"));
        AdminHttp admin = new AdminHttp(broker.port("admin"));
        try {
            assertThat(admin.get("/health/live").status()).isEqualTo(200);
            AdminHttp.Answer starting = admin.get("/health/ready");
            assertThat(starting.status()).isEqualTo(503);
            assertThat(starting.contentType()).startsWith("application/json");
            assertThat(starting.body()).contains("\"status\":\"DOWN\"").contains("starting");

            broker.open();
            AdminHttp.Answer ready = admin.get("/health/ready");
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.body()).contains("\"status\":\"UP\"");

            broker.beginShutdown();
            AdminHttp.Answer stopping = admin.get("/health/ready");
            assertThat(stopping.status()).isEqualTo(503);
            assertThat(stopping.body()).contains("shutting down");
            assertThat(admin.get("/health/live").status()).isEqualTo(200);
        } finally {
            broker.close();
        }
        assertThatThrownBy(() -> admin.get("/health/live")).isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void close_neverAnswersReadyAgainOnceShutdownBegan() throws Exception {
        TestBroker broker = TestBroker.startYaml(YAML);
        // a request caught by the closing admin listener may go unanswered: give up on it quickly
        AdminHttp admin = new AdminHttp(broker.port("admin"), java.time.Duration.ofSeconds(1));
        try (Clients clients = new Clients(broker)) {
            await(clients.hive5(RawTransport.TCP, "adm-" + UUID.randomUUID()).connectWith().send());
            List<Integer> statuses = new ArrayList<>();
            List<Throwable> ended = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread poller = new Thread(() -> {
                while (true) {
                    try {
                        statuses.add(admin.get("/health/ready").status());
                    } catch (RuntimeException e) {
                        ended.add(e);
                        return;
                    }
                }
            });
            assertThat(admin.get("/health/ready").status()).isEqualTo(200);
            poller.start();
            broker.close();
            poller.join(15_000);
            assertThat(poller.isAlive()).as("poller still running; statuses %s", statuses.size()).isFalse();
            assertThat(ended).hasSize(1).allMatch(e -> e instanceof UncheckedIOException);
            int firstDown = statuses.indexOf(503);
            if (firstDown >= 0) {
                assertThat(statuses.subList(firstDown, statuses.size())).containsOnly(503);
            }
        }
    }

    @Test
    void putLogger_changesTheLevelAtRuntime_throughTheApi() {
        try (TestBroker broker = AdminSetup.in(dir).start()) {
            AdminClient root = AdminClient.http(broker.port("admin")).as("root");
            String name = "io.rampart.test.runtime" + UUID.randomUUID().toString().substring(0, 8);
            assertThat(LogManager.getLogger(name).isDebugEnabled()).isFalse();

            AdminClient.Answer put = root.put("/api/v1/loggers/" + name, "{\"level\":\"debug\"}");
            assertThat(put.status()).isEqualTo(200);
            assertThat(put.json().path("level").asText()).isEqualTo("DEBUG");
            assertThat(LogManager.getLogger(name).isDebugEnabled()).isTrue();
            assertThat(root.get("/api/v1/loggers/" + name).json().path("level").asText()).isEqualTo("DEBUG");

            assertThat(root.put("/api/v1/loggers/" + name, "{\"level\":\"LOUD\"}").status()).isEqualTo(400);
            assertThat(root.put("/api/v1/loggers/bad%20name", "{\"level\":\"INFO\"}").status()).isEqualTo(400);
            Configurator.setLevel(name, (org.apache.logging.log4j.Level) null);
        }
    }

    @Test
    void oldLoggersPath_answers308ToTheApi() {
        try (TestBroker broker = TestBroker.startYaml(YAML)) {
            AdminClient.Answer moved = AdminClient.http(broker.port("admin")).get("/loggers/io.rampart");
            assertThat(moved.status()).isEqualTo(308);
            assertThat(moved.header("Location")).isEqualTo("/api/v1/loggers/io.rampart");
        }
    }

    @Test
    void putLogger_onTheEventLogger_turnsItsLinesOffAndOnWithoutRestart() {
        try (TestBroker broker = AdminSetup.in(dir).start();
             Clients clients = new Clients(broker);
             EventLogFile events = new EventLogFile(dir.resolve("events.log"))) {
            AdminClient root = AdminClient.http(broker.port("admin")).as("root");
            assertThat(root.put("/api/v1/loggers/rampart.events", "{\"level\":\"OFF\"}").status()).isEqualTo(200);
            String quiet = "adm-quiet-" + UUID.randomUUID();
            await(clients.hive5(RawTransport.TCP, quiet).connectWith().send());
            assertThat(root.put("/api/v1/loggers/rampart.events", "{\"level\":\"INFO\"}").status()).isEqualTo(200);
            String loud = "adm-loud-" + UUID.randomUUID();
            await(clients.hive5(RawTransport.TCP, loud).connectWith().send());
            events.await("event=client-connected", loud);
            assertThat(events.lines(quiet)).isEmpty();
        }
    }

    @Test
    void unknownPathsAndMethods_areAnswered404And405() {
        try (TestBroker broker = TestBroker.startYaml(YAML)) {
            AdminHttp admin = new AdminHttp(broker.port("admin"));
            assertThat(admin.get("/nothing-here").status()).isEqualTo(404);
            assertThat(admin.post("/metrics", "x").status()).isEqualTo(405);
            assertThat(admin.get("/health/ready?verbose=1").status()).isEqualTo(200);
        }
    }
}
