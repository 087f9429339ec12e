package io.rampart.server.insights;

import io.rampart.admin.broker.ClientHistory.ClientEvent;
import io.rampart.security.permission.Activity;
import io.rampart.security.permission.CompiledPermissions;
import io.rampart.security.permission.Permission;
import io.rampart.security.permission.RuleOrigin;
import io.rampart.security.spi.IdentityVariables;
import io.rampart.server.security.AccessLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;

/** Per-client event rings: their bound per client, in total memory, and for disconnected clients. */
class ClientEventLogTest {

    private Instant now = Instant.parse("2030-01-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    private ClientEventLog log(int perClient, long memory, Duration offline) {
        return new ClientEventLog(new InsightSettings.ClientEvents(true, perClient, memory, offline), clock, timers);
    }

    private static void connect(ClientEventLog log, String clientId) {
        log.connected("tcp", new InetSocketAddress("10.0.0.1", 1234), clientId, "u", 5, true, false, 60, "TLSv1.3",
                "TLS_AES_128_GCM_SHA256", "CN=dev");
    }

    @Test
    void ring_keepsTheNewestEventsPerClient_newestFirst() {
        ClientEventLog log = log(3, 1 << 20, Duration.ofHours(1));
        connect(log, "a");
        for (int i = 0; i < 4; i++) {
            log.subscribed("a", "t/" + i, 1);
        }
        log.subscribed("b", "x", 0);
        assertThat(log.events("a")).extracting(e -> e.details().get("filter")).containsExactly("t/3", "t/2", "t/1");
        assertThat(log.events("b")).hasSize(1);
        assertThat(log.events("c")).isEmpty();
    }

    @Test
    void events_carryTheirFields_andDenialsTheDecidingRealm() {
        ClientEventLog log = log(10, 1 << 20, Duration.ofHours(1));
        connect(log, "a");
        log.decided(AccessLog.Action.PUBLISH, false, "not-authorized",
                new AccessLog.Subject("tcp", null, "a", "u", "u"), "x/y", 1, "password", "devices", "no");
        log.decided(AccessLog.Action.PUBLISH, true, null,
                new AccessLog.Subject("tcp", null, "a", "u", "u"), "a/b", 1, "password", "devices", null);
        log.disconnected("tcp", null, "a", "takeover", 0x8E, "session taken over");
        ClientEvent denied = log.events("a").get(1);
        assertThat(denied.type()).isEqualTo("publish-denied");
        assertThat(denied.details()).containsEntry("topic", "x/y").containsEntry("realm", "devices")
                .containsEntry("manager", "password");
        assertThat(log.events("a").get(0).type()).isEqualTo("taken-over");
        ClientEvent connected = log.events("a").get(2);
        assertThat(connected.address().getAddress().getHostAddress()).isEqualTo("10.0.0.1");
        assertThat(connected.details()).doesNotContainKey("address").containsKey("tls");
    }

    @Test
    void denials_nameTheDecidingRuleAndItsOrigin_orTheDefaultDeny() {
        ClientEventLog log = log(10, 1 << 20, Duration.ofHours(1));
        CompiledPermissions permissions = CompiledPermissions.compile(List.of(
                Permission.deny("x/#", Activity.ALL).withOrigin(RuleOrigin.fileLine("devices", "role 'sensors'",
                        "/etc/rampart/devices.yaml", 12))), new IdentityVariables().freeze());
        AccessLog.Subject subject = new AccessLog.Subject("tcp", null, "a", "u", "u");
        log.denied(AccessLog.Action.SUBSCRIBE, "not-authorized", subject, "x/#", 1, "password", "devices", "no",
                permissions.explainSubscribe("x/#", 1, null));
        log.denied(AccessLog.Action.PUBLISH, "not-authorized", subject, "y/z", 1, "password", "devices", "no",
                permissions.explainPublish("y/z", 1, false));
        ClientEvent byDefault = log.events("a").get(0);
        assertThat(byDefault.details()).containsEntry("verdict", "default deny: no rule matched")
                .containsEntry("rule", null);
        ClientEvent byRule = log.events("a").get(1);
        assertThat(byRule.type()).isEqualTo("subscribe-denied");
        assertThat(byRule.details()).containsEntry("verdict", "denied by deny rule 'x/#'");
        @SuppressWarnings("unchecked")
        Map<String, Object> rule = (Map<String, Object>) byRule.details().get("rule");
        assertThat(rule).containsEntry("effect", "deny").containsEntry("topic", "x/#").containsEntry("compiled", "x/#");
        assertThat(((Map<?, ?>) rule.get("origin")).get("description"))
                .isEqualTo("realm 'devices', role 'sensors', /etc/rampart/devices.yaml line 12");
    }

    @Test
    void offlineClients_areForgottenAfterTheRetention_onlineOnesAreKept() {
        ClientEventLog log = log(10, 1 << 20, Duration.ofMinutes(5));
        connect(log, "gone");
        connect(log, "stays");
        connect(log, "took-over");
        log.disconnected("tcp", null, "gone", "client-disconnect", 0, null);
        log.disconnected("tcp", null, "took-over", "takeover", 0x8E, null);
        long before = log.bytes();
        now = now.plus(Duration.ofMinutes(6));
        log.cleanUp();
        assertThat(log.events("gone")).isEmpty();
        assertThat(log.events("stays")).hasSize(1);
        assertThat(log.events("took-over")).as("a takeover leaves the client id connected").hasSize(2);
        assertThat(log.bytes()).isLessThan(before);
    }

    @Test
    void memory_boundsAllHistories_andTheLongestOfflineGoFirst() {
        ClientEventLog log = log(1000, 1 << 20, Duration.ofDays(1));
        int i = 0;
        while (log.dropped() == 0) {
            String id = "client-" + i++;
            connect(log, id);
            log.disconnected("tcp", null, id, "client-disconnect", 0, null);
            now = now.plusMillis(1);
        }
        assertThat(log.bytes()).isLessThanOrEqualTo(1 << 20);
        log.cleanUp();
        assertThat(log.bytes()).isLessThanOrEqualTo((1 << 20) / 10 * 9);
        assertThat(log.events("client-0")).as("the longest offline went first").isEmpty();
        assertThat(log.events("client-" + (i - 2))).isNotEmpty();
    }
}
