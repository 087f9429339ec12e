package io.rampart.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.server.Main;
import io.rampart.server.it.support.AdminClient;
import io.rampart.server.it.support.AdminSetup;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The audit log ({@code rampart.audit}, {@code audit.log} in the test logs): one line per state-changing call, denied
 * call and sensitive read, with actor, method, address, action, target, result, request id and before/after; a hash
 * chain that continues across restarts, which {@code rampart audit verify} accepts intact and breaks at an edited line.
 */
class AdminAuditIT {

    private static final Path AUDIT = Path.of(System.getProperty("rampart.test.logdir", "target/test-logs"), "audit.log");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static int lineCount() throws IOException {
        return Files.exists(AUDIT) ? Files.readAllLines(AUDIT).size() : 0;
    }

    private static List<String> linesSince(int start) throws IOException {
        List<String> all = Files.readAllLines(AUDIT);
        return new ArrayList<>(all.subList(start, all.size()));
    }

    private static String line(List<String> lines, String requestId) {
        return lines.stream().filter(l -> l.contains(requestId)).findFirst()
                .orElseThrow(() -> new AssertionError("no audit line for request " + requestId + " in " + lines));
    }

    @Test
    void everyChangeDenialAndSensitiveRead_isALine_andTheChainVerifies() throws Exception {
        int start = lineCount();
        // The audit file is shared by every IT of the run: list only what this test wrote (and the second before).
        String since = java.time.Instant.now().minusSeconds(1).toString();
        List<String> requests = new ArrayList<>();
        try (TestBroker broker = AdminSetup.in(dir).start(); Clients clients = new Clients(broker)) {
            AdminClient http = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER));
            AdminClient root = http.as("root");
            clients.connectedHive5(RawTransport.TCP, "audited-1");
            clients.connectedHive5(RawTransport.TCP, "audited-2");

            AdminClient.Answer ban = root.post("/api/v1/bans", "{\"kind\":\"client-id\",\"value\":\"bad-1\",\"reason\":\"spam\"}");
            AdminClient.Answer lift = root.delete("/api/v1/bans/" + ban.json().path("id").asText());
            AdminClient.Answer logger = root.put("/api/v1/loggers/io.rampart.test.audit", "{\"level\":\"DEBUG\"}");
            AdminClient.Answer kick = root.delete("/api/v1/clients/audited-2/connection?reason=audit%20test");
            AdminClient.Answer denied = http.as("vera").post("/api/v1/bans", "{\"kind\":\"client-id\",\"value\":\"x\"}");
            AdminClient.Answer anonymous = http.get("/api/v1/clients");
            AdminClient.Answer sensitive = root.get("/api/v1/clients/audited-1");
            AdminClient.Answer plainRead = http.as("vera").get("/api/v1/clients/audited-1");
            for (AdminClient.Answer a : List.of(ban, lift, logger, kick, denied, anonymous, sensitive, plainRead)) {
                requests.add(a.header("X-Request-Id"));
            }
            await().until(() -> linesSince(start).stream().anyMatch(l -> l.contains(requests.get(6))));
            List<String> lines = linesSince(start);

            assertThat(line(lines, requests.get(0))).contains("actor=\"root\"").contains("method=basic")
                    .contains("address=127.0.0.1").contains("action=bans.create").contains("result=success")
                    .contains("status=201").contains("target=\"ban:" + ban.json().path("id").asText() + "\"")
                    .contains("before=null").contains("after=\"{\\\"id\\\":");
            assertThat(line(lines, requests.get(1))).contains("action=bans.delete").contains("status=204")
                    .contains("before=\"{").contains("after=null");
            assertThat(line(lines, requests.get(2))).contains("action=loggers.set")
                    .contains("target=\"logger:io.rampart.test.audit\"").contains("after=\"{\\\"level\\\":\\\"DEBUG\\\"}\"");
            assertThat(line(lines, requests.get(3))).contains("action=clients.disconnect").contains("target=\"client:audited-2\"")
                    .contains("reason: audit test");
            assertThat(line(lines, requests.get(4))).contains("actor=\"vera\"").contains("result=denied").contains("status=403")
                    .contains("missing permission bans:write");
            assertThat(line(lines, requests.get(5))).contains("actor=\"-\"").contains("result=denied").contains("status=401")
                    .contains("action=clients.list");
            assertThat(line(lines, requests.get(6))).as("addresses were read").contains("action=clients.get")
                    .contains("result=success");
            assertThat(lines).noneMatch(l -> l.contains(requests.get(7))).as("a read without addresses is not audited");
            assertThat(String.join("\n", lines)).doesNotContain(AdminSetup.PASSWORD).doesNotContain("$pbkdf2");

            JsonNode listed = root.get("/api/v1/audit?actor=root&action=bans.&since=" + since).json();
            assertThat(listed.path("items")).extracting(n -> n.path("request").asText()).contains(requests.get(0), requests.get(1));
            JsonNode newest = root.get("/api/v1/audit?actor=root&action=bans.&order=newest&limit=1").json();
            assertThat(newest.path("items")).extracting(n -> n.path("request").asText()).containsExactly(requests.get(1));
            JsonNode older = root.get("/api/v1/audit?actor=root&action=bans.&order=newest&limit=1&cursor="
                    + newest.path("nextCursor").asText()).json();
            assertThat(older.path("items")).extracting(n -> n.path("request").asText()).containsExactly(requests.get(0));
            assertThat(root.get("/api/v1/audit?order=sideways").status()).isEqualTo(400);
        }
        // The chain continues across a restart.
        try (TestBroker broker = AdminSetup.in(dir).start()) {
            AdminClient.Answer after = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER)).as("root")
                    .post("/api/v1/reload", null);
            assertThat(after.status()).isEqualTo(200);
            await().until(() -> linesSince(start).stream().anyMatch(l -> l.contains(after.header("X-Request-Id"))));
        }
        Path slice = dir.resolve("slice.log");
        Files.write(slice, linesSince(start));
        Cli ok = verify(slice);
        assertThat(ok.code()).as(ok.out() + ok.err()).isZero();
        assertThat(ok.out()).startsWith("OK: ").contains("hash chain intact");

        List<String> tampered = linesSince(start);
        tampered.set(2, tampered.get(2).replace("DEBUG", "ERROR"));
        Files.write(slice, tampered);
        Cli broken = verify(slice);
        assertThat(broken.code()).isEqualTo(1);
        assertThat(broken.out()).contains("BROKEN").contains("line 3 was modified");

        List<String> removed = linesSince(start);
        removed.remove(1);
        Files.write(slice, removed);
        assertThat(verify(slice).out()).contains("line 2 does not follow line 1");
    }

    @Test
    void jsonFormat_isChainedToo() throws Exception {
        int start = lineCount();
        try (TestBroker broker = AdminSetup.in(dir).admin("audit-log: {format: json}").start()) {
            AdminClient.Answer a = AdminClient.http(broker.port(AdminSetup.ADMIN_LISTENER)).as("sam")
                    .post("/api/v1/bans", "{\"kind\":\"username\",\"value\":\"j\"}");
            await().until(() -> linesSince(start).stream().anyMatch(l -> l.contains(a.header("X-Request-Id"))));
        }
        List<String> lines = linesSince(start);
        JsonNode last = JSON.readTree(lines.get(lines.size() - 1));
        assertThat(last.path("actor").asText()).isEqualTo("sam");
        assertThat(last.path("action").asText()).isEqualTo("bans.create");
        assertThat(last.path("hash").asText()).hasSize(64);
        Path slice = dir.resolve("slice.json.log");
        Files.write(slice, lines);
        assertThat(verify(slice).code()).isZero();
    }

    private record Cli(int code, String out, String err) {
    }

    private static Cli verify(Path file) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Cli(cl.execute("audit", "verify", file.toString()), out.toString(), err.toString());
    }
}
