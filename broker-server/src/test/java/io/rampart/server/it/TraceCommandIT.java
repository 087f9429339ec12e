package io.rampart.server.it;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.rampart.server.it.support.AdminClient;
import io.rampart.server.it.support.AdminSetup;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.RampartCli;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code rampart trace ...} against a running broker's admin API with an API token read from a file: start, list,
 * show, stop, download and delete a recording of a HiveMQ client; errors name the problem.
 */
class TraceCommandIT {

    @TempDir
    Path dir;

    @Test
    void traceCommands_driveARecordingThroughTheAdminApi() throws Exception {
        try (TestBroker broker = AdminSetup.in(dir).devices(TraceRecordingIT.DEVICES).start();
             Clients clients = new Clients(broker)) {
            int port = broker.port(AdminSetup.ADMIN_LISTENER);
            String token = AdminClient.http(port).as("root")
                    .post("/api/v1/tokens", "{\"roles\":[\"operator\"],\"expiresIn\":\"1d\"}").json().path("token")
                    .asText();
            Path tokenFile = dir.resolve("token");
            Files.writeString(tokenFile, token + "\n");
            String url = "http://127.0.0.1:" + port;

            RampartCli.Result started = RampartCli.run("", "trace", "start", "--url", url, "--token-file",
                    tokenFile.toString(), "--client-id", "cli-.*", "--type", "PUBLISH", "--duration", "5m",
                    "--name", "from the cli");
            assertThat(started.exitCode()).as(started.err()).isZero();
            String id = new com.fasterxml.jackson.databind.ObjectMapper().readTree(started.out()).path("id").asText();
            assertThat(id).isNotEmpty();

            Mqtt5AsyncClient c = TraceRecordingIT.device(clients, "cli-1", "device-1");
            TraceRecordingIT.publish(c, "dev/cli-1/x", "one");
            await().atMost(Duration.ofSeconds(30)).until(() -> RampartCli.run("", "trace", "show", id, "--url", url,
                    "--token-file", tokenFile.toString()).out().contains("\"packets\" : 1"));

            RampartCli.Result list = RampartCli.run("", "trace", "list", "--url", url, "--token-file",
                    tokenFile.toString());
            assertThat(list.out()).contains(id + "  recording  packets=1").contains("from the cli");
            RampartCli.Result stopped = RampartCli.run("", "trace", "stop", id, "--url", url, "--token-file",
                    tokenFile.toString());
            assertThat(stopped.out()).contains("\"state\" : \"stopped\"");

            Path out = dir.resolve("cli-1.jsonl");
            await().atMost(Duration.ofSeconds(30)).until(() -> RampartCli.run("", "trace", "download", id, "--url",
                    url, "--token-file", tokenFile.toString()).out().contains("dev/cli-1/x"));
            RampartCli.Result download = RampartCli.run("", "trace", "download", id, "-o", out.toString(), "--url",
                    url, "--token-file", tokenFile.toString());
            assertThat(download.exitCode()).as(download.err()).isZero();
            assertThat(Files.readString(out)).contains("\"type\":\"PUBLISH\"", "\"topic\":\"dev/cli-1/x\"");

            assertThat(RampartCli.run("", "trace", "delete", id, "--url", url, "--token-file", tokenFile.toString())
                    .exitCode()).isZero();
            RampartCli.Result gone = RampartCli.run("", "trace", "show", id, "--url", url, "--token-file",
                    tokenFile.toString());
            assertThat(gone.exitCode()).isEqualTo(1);
            assertThat(gone.err()).contains("rampart trace show: HTTP 404: no trace recording " + id);

            RampartCli.Result invalid = RampartCli.run("", "trace", "start", "--url", url, "--token-file",
                    tokenFile.toString(), "--type", "PUBLISH");
            assertThat(invalid.exitCode()).isEqualTo(1);
            assertThat(invalid.err()).contains("HTTP 400", "must select clients or topics");
            Files.writeString(tokenFile, "rmp_nope_nope");
            assertThat(RampartCli.run("", "trace", "list", "--url", url, "--token-file", tokenFile.toString()).err())
                    .contains("HTTP 401");
        }
    }
}
