package io.rampart.server.it;

import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.SecAccessLog;
import io.rampart.server.it.support.SecSetup;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.rampart.server.it.support.Connects.connect3;
import static io.rampart.server.it.support.Connects.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The shipped Fail2Ban filter ({@code config/fail2ban/filter.d/rampart.conf}) against real access-log
 * lines, checked by Fail2Ban's own {@code fail2ban-regex}: every bad-credentials CONNECT matches with the
 * client's real address, nothing else matches, and a crafted client id cannot supply an address.
 * Needs the Debian package {@code fail2ban} (scripts/test.sh installs it).
 */
class SecurityFail2BanIT {

    private static final String PW = "f2b-Pa55";
    private static final String USER = "f2b-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String CRAFTED = "x remote=6.6.6.6 ";
    private static final Pattern HOST_LINE = Pattern.compile("^\\|\\s{6}(\\S+)\\s{2}\\S");
    private static final Pattern SUMMARY = Pattern.compile("Lines: (\\d+) lines, (\\d+) ignored, (\\d+) matched");

    @TempDir
    static Path dir;
    private static TestBroker broker;

    @BeforeAll
    static void startBroker() {
        Path users = dir.resolve("users.yaml");
        SecSetup.writeUsers(users, """
                users:
                  - {username: %s, password: "%s", permissions: [{topic: "open/#"}]}
                """.formatted(USER, SecSetup.hash(PW)));
        broker = SecSetup.start("""
                - {type: tcp, name: bare, bind: 127.0.0.1, port: 0}
                """, """
                realms:
                  - {name: local, type: file, path: "%s"}
                pipelines:
                  - name: default
                    listeners: [tcp, ws]
                    authentication: [{type: password, realm: local}]
                    authorization: [{type: realm, realm: local}]
                brute-force: {enabled: false}
                """.formatted(users));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static byte[] connect(String clientId, String password) {
        return RawPackets.connect(RawPackets.V5).clientId(clientId).credentials(USER, utf8(password)).build();
    }

    @Test
    void filter_matchesExactlyTheBadCredentialLines_withTheRealAddress() throws Exception {
        Path filter = Path.of(System.getProperty("rampart.project.root", "."), "config/fail2ban/filter.d/rampart.conf");
        assertThat(filter).exists();
        try (Clients clients = new Clients(broker)) {
            // bad credentials: TCP, WebSocket, MQTT 3, and one with a crafted client id
            assertThat(clients.raw(RawTransport.TCP).sendConnect(connect("f2b-1", "wrong")).reasonCode()).isEqualTo(0x86);
            assertThat(clients.raw(RawTransport.WEBSOCKET).sendConnect(connect("f2b-2", "wrong")).reasonCode()).isEqualTo(0x86);
            assertThat(connect3(clients.hive3(RawTransport.TCP, "f2b-3"), USER, "wrong")).isEqualTo(4);
            assertThat(clients.raw(RawTransport.TCP).sendConnect(connect(CRAFTED, "wrong")).reasonCode()).isEqualTo(0x86);
            // other decisions with the crafted client id: none may match
            assertThat(clients.rawOn("bare").sendConnect(connect(CRAFTED, PW)).reasonCode()).isEqualTo(0x87);
            assertThat(clients.raw(RawTransport.TCP).sendConnect(RawPackets.connect(RawPackets.V5).clientId(CRAFTED)
                    .credentials(USER, utf8(PW)).will("closed/w", utf8("w"), 0, false).build()).reasonCode()).isEqualTo(0x87);
            RawMqttClient ok = clients.raw(RawTransport.TCP);
            ok.connect(connect(CRAFTED, PW));
            ok.send(RawPackets.publish(RawPackets.V5, "closed/x", 1, 1, utf8("m")));
            ok.read();
            ok.subscribe(2, 1, "closed/#");
        }
        List<String> lines = SecAccessLog.await("user=\"" + USER + "\"", 10);
        long badCredentials = lines.stream().filter(l -> l.contains(" kind=bad-credentials ")).count();
        assertThat(badCredentials).isEqualTo(4);
        assertThat(lines).hasSize(10);
        Path log = dir.resolve("access.log");
        Files.write(log, lines, StandardCharsets.UTF_8);

        String out = fail2banRegex(log, filter);

        Matcher summary = SUMMARY.matcher(out);
        assertThat(summary.find()).as("fail2ban-regex summary in:\n%s", out).isTrue();
        assertThat(Long.parseLong(summary.group(1))).isEqualTo(lines.size());
        assertThat(Long.parseLong(summary.group(3))).as("matched lines").isEqualTo(badCredentials);
        List<String> hosts = new ArrayList<>();
        for (String line : out.split("\n")) {
            Matcher m = HOST_LINE.matcher(line);
            if (m.find()) {
                hosts.add(m.group(1));
            }
        }
        assertThat(hosts).as("banned addresses in:\n%s", out).hasSize(4).containsOnly("127.0.0.1");
        assertThat(hosts).doesNotContain("6.6.6.6");
    }

    private static String fail2banRegex(Path log, Path filter) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("fail2ban-regex", "-v", log.toString(), filter.toAbsolutePath().toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            return fail("fail2ban-regex is not installed (" + e.getMessage() + "); this test checks the shipped "
                    + "Fail2Ban filter with it. Install the Debian package 'fail2ban' (scripts/test.sh does).");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("fail2ban-regex exit code; output:\n%s", out).isZero();
        return out;
    }
}
