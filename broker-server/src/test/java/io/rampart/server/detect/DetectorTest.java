package io.rampart.server.detect;

import io.rampart.admin.broker.DetectionLog.Detection;
import io.rampart.server.security.AccessLog;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The detection rules, evaluated in the calling thread with a clock the test moves. */
class DetectorTest {

    private Instant now = Instant.parse("2030-01-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final List<Detection> fired = new ArrayList<>();
    private final List<String> bans = new ArrayList<>();

    private Detector detector(Map<Rule, RuleSettings> rules) {
        return detector(rules, 100);
    }

    private Detector detector(Map<Rule, RuleSettings> rules, int maxKeys) {
        return new Detector(new DetectionSettings(true, maxKeys, 10, rules), clock, new Detector.Outcomes() {
            @Override
            public void detected(Detection detection) {
                fired.add(detection);
            }

            @Override
            public String ban(String kind, String value, String reason, Duration duration) {
                bans.add(kind + " " + value + " " + duration.toMinutes() + "m: " + reason);
                return "ban-" + bans.size();
            }
        }, Runnable::run);
    }

    private static RuleSettings rule(int threshold, Duration window, Duration ban, int v4, int remembered) {
        return new RuleSettings(true, threshold, window, ban, v4, 128, remembered);
    }

    private static InetSocketAddress at(String ip) {
        return new InetSocketAddress(ip, 40000);
    }

    private static void badPassword(Detector d, String ip, String user) {
        d.decided(AccessLog.Action.CONNECT, false, AccessLog.Kind.BAD_CREDENTIALS.text(),
                new AccessLog.Subject("tcp", at(ip), "c", user, null), null, -1, "password", "devices", "bad");
    }

    private static void deniedPublish(Detector d, String clientId, String topic) {
        d.decided(AccessLog.Action.PUBLISH, false, AccessLog.Kind.NOT_AUTHORIZED.text(),
                new AccessLog.Subject("tcp", at("10.0.0.1"), clientId, "u", "u"), topic, 1, "password", "devices",
                "denied");
    }

    private static void admitted(Detector d, String clientId, String user, String ip) {
        d.connected("tcp", at(ip), clientId, user, 5, true, false, 60, null, null, null);
    }

    private Map<Rule, RuleSettings> only(Rule rule, RuleSettings settings) {
        Map<Rule, RuleSettings> rules = new EnumMap<>(Rule.class);
        for (Rule r : Rule.values()) {
            rules.put(r, new RuleSettings(false, 1, Duration.ofMinutes(1), null, 32, 128, 1));
        }
        rules.put(rule, settings);
        return rules;
    }

    @Test
    void authFailuresPerAddress_firesAtTheThresholdWithinTheWindow_perNetwork_andBans() {
        Detector d = detector(only(Rule.AUTH_FAILURES_PER_ADDRESS, rule(3, Duration.ofMinutes(1),
                Duration.ofMinutes(15), 24, 0)));
        badPassword(d, "10.1.2.3", "a");
        now = now.plusSeconds(30);
        badPassword(d, "10.1.2.4", "b");
        now = now.plusSeconds(31);
        badPassword(d, "10.1.2.5", "c");
        assertThat(fired).as("the first failure left the window").isEmpty();
        badPassword(d, "10.1.2.6", "d");
        assertThat(fired).hasSize(1);
        Detection x = fired.get(0);
        assertThat(x.rule()).isEqualTo("auth-failures-per-address");
        assertThat(x.key()).isEqualTo("10.1.2.0/24");
        assertThat(x.addresses()).containsExactly("10.1.2.4", "10.1.2.5", "10.1.2.6");
        assertThat(x.banId()).isEqualTo("ban-1");
        assertThat(bans).containsExactly("address 10.1.2.0/24 15m: detection auth-failures-per-address: "
                + "3 bad-credential CONNECTs in 1m");
        assertThat(d.list(null, null)).containsExactly(x);

        badPassword(d, "10.1.2.7", "e");
        assertThat(fired).as("the key counts afresh after firing").hasSize(1);
        badPassword(d, "10.9.9.9", "f");
        badPassword(d, "10.9.9.9", "f");
        assertThat(fired).hasSize(1);
    }

    @Test
    void authFailuresPerUser_countsDifferentAddresses() {
        Detector d = detector(only(Rule.AUTH_FAILURES_PER_USER, rule(3, Duration.ofMinutes(10), null, 32, 0)));
        for (int i = 0; i < 5; i++) {
            badPassword(d, "10.0.0.1", "alice");
        }
        badPassword(d, "10.0.0.2", "alice");
        assertThat(fired).as("two addresses").isEmpty();
        badPassword(d, "10.0.0.3", "alice");
        assertThat(fired).singleElement().satisfies(x -> {
            assertThat(x.key()).isEqualTo("alice");
            assertThat(x.keyKind()).isEqualTo("username");
            assertThat(x.count()).isEqualTo(3);
            assertThat(x.banId()).isNull();
        });
        assertThat(bans).isEmpty();
    }

    @Test
    void probingClient_countsDenials_andTheSummaryCarriesTopicsVerbatim() {
        Detector d = detector(only(Rule.PROBING_CLIENT, rule(3, Duration.ofMinutes(1), Duration.ofHours(1), 32, 0)));
        deniedPublish(d, "dev-1", "a/%s/%d");
        deniedPublish(d, "dev-2", "x");
        deniedPublish(d, "dev-1", "b");
        d.decided(AccessLog.Action.SUBSCRIBE, false, "not-authorized",
                new AccessLog.Subject("tcp", at("10.0.0.1"), "dev-1", "u", "u"), "c/100%", 0, "m", "r", "denied");
        assertThat(fired).singleElement().satisfies(x -> {
            assertThat(x.key()).isEqualTo("dev-1");
            assertThat(x.summary()).isEqualTo("client 'dev-1' denied 3 times in 1m (last: subscribe to 'c/100%')");
        });
        assertThat(bans).singleElement().asString().startsWith("client-id dev-1 60m");
    }

    @Test
    void connectionFlapping_countsAdmissionsOfOneClientId() {
        Detector d = detector(only(Rule.CONNECTION_FLAPPING, rule(3, Duration.ofMinutes(1), null, 32, 0)));
        for (int i = 0; i < 3; i++) {
            admitted(d, "steady-" + i, null, "10.0.0.1");
        }
        admitted(d, "flappy", null, "10.0.0.1");
        admitted(d, "flappy", null, "10.0.0.1");
        assertThat(fired).isEmpty();
        admitted(d, "flappy", null, "10.0.0.1");
        assertThat(fired).singleElement().extracting(Detection::key).isEqualTo("flappy");
    }

    @Test
    void newNetwork_learnsTheFirstNetwork_andFiresOnAnotherOne() {
        Detector d = detector(only(Rule.NEW_NETWORK, new RuleSettings(true, 1, Duration.ofMinutes(1), null, 24,
                48, 2)));
        admitted(d, "c1", "gw", "10.0.0.1");
        admitted(d, "c1", "gw", "10.0.0.200");
        assertThat(fired).isEmpty();
        admitted(d, "c1", "gw", "192.168.1.1");
        assertThat(fired).singleElement().satisfies(x -> {
            assertThat(x.key()).isEqualTo("gw");
            assertThat(x.addresses()).containsExactly("192.168.1.1");
        });
        admitted(d, "c1", "gw", "192.168.1.9");
        admitted(d, "c1", "gw", "10.0.0.1");
        assertThat(fired).as("both networks are known").hasSize(1);
        admitted(d, "c1", "gw", "172.16.0.1");
        admitted(d, "c1", "gw", "192.168.1.1");
        assertThat(fired).as("two networks remembered: 192.168.1.0/24 was forgotten").hasSize(3);
    }

    @Test
    void manyAddresses_firesForOneIdentityAdmittedFromSeveralAddresses() {
        Detector d = detector(only(Rule.MANY_ADDRESSES, rule(2, Duration.ofMinutes(1), null, 32, 0)));
        admitted(d, "c1", "svc", "10.0.0.1");
        admitted(d, "c2", "svc", "10.0.0.1");
        assertThat(fired).isEmpty();
        admitted(d, "c3", "svc", "10.0.0.2");
        assertThat(fired).singleElement().satisfies(x ->
                assertThat(x.addresses()).containsExactly("10.0.0.1", "10.0.0.2"));
    }

    @Test
    void rejectedCertificates_countsRevokedAndExpired_notOtherRefusals() {
        Detector d = detector(only(Rule.REJECTED_CERTIFICATES, rule(2, Duration.ofMinutes(10), null, 32, 0)));
        d.tlsRefused("tls", at("10.0.0.5"), "unknown-issuer", "CN=x", "1", "bad");
        d.tlsRefused("tls", at("10.0.0.5"), "revoked", "CN=x", "1", "revoked");
        assertThat(fired).isEmpty();
        d.tlsRefused("tls", at("10.0.0.5"), "expired", "CN=x", "1", "expired");
        assertThat(fired).singleElement().extracting(Detection::key).isEqualTo("10.0.0.5");
    }

    @Test
    void keys_areBoundedByMaxKeys_theLeastRecentlySeenGoFirst() {
        Detector d = detector(only(Rule.CONNECTION_FLAPPING, rule(2, Duration.ofMinutes(1), null, 32, 0)), 100);
        admitted(d, "first", null, "10.0.0.1");
        for (int i = 0; i < 100; i++) {
            admitted(d, "other-" + i, null, "10.0.0.1");
        }
        admitted(d, "first", null, "10.0.0.1");
        assertThat(fired).as("'first' was forgotten when the 101st key came").isEmpty();
    }

    @Test
    void disabledDetections_observeNothing() {
        Map<Rule, RuleSettings> rules = only(Rule.AUTH_FAILURES_PER_ADDRESS, rule(1, Duration.ofMinutes(1), null, 32,
                0));
        badPassword(detector(rules), "10.0.0.1", "a");
        assertThat(fired).hasSize(1);
        fired.clear();
        Detector off = new Detector(new DetectionSettings(false, 100, 10, rules), clock, new Detector.Outcomes() {
            @Override
            public void detected(Detection detection) {
                fired.add(detection);
            }

            @Override
            public String ban(String kind, String value, String reason, Duration duration) {
                return null;
            }
        }, Runnable::run);
        badPassword(off, "10.0.0.1", "a");
        deniedPublish(off, "x", "t");
        assertThat(fired).isEmpty();
    }

    @Test
    void history_keepsTheNewest_andAcknowledging_marksOne() {
        Detector d = detector(only(Rule.CONNECTION_FLAPPING, rule(1, Duration.ofMinutes(1), null, 32, 0)));
        for (int i = 0; i < 12; i++) {
            admitted(d, "c" + i, null, "10.0.0.1");
        }
        List<Detection> list = d.list(null, null);
        assertThat(list).hasSize(10);
        assertThat(list.get(0).key()).isEqualTo("c11");
        assertThat(d.list("probing-client", null)).isEmpty();
        Detection acked = d.acknowledge(list.get(3).id(), "sam", "known device");
        assertThat(acked.acknowledgedBy()).isEqualTo("sam");
        assertThat(d.list(null, null).get(3)).isEqualTo(acked);
        assertThat(d.acknowledge("nope", "sam", null)).isNull();
    }

    @Test
    void manyNewTopics_firesWhenAnIdentityPublishesToManyTopicsItNeverUsed_andBansTheUser() {
        Detector d = detector(only(Rule.MANY_NEW_TOPICS, rule(50, Duration.ofMinutes(1), Duration.ofMinutes(10), 32,
                256)));
        assertThat(d.watchesTopics()).isTrue();
        for (int i = 0; i < 49; i++) {
            d.publishedTo("meter-7", "plant/line-" + i + "/valve", at("10.0.0.7"));
        }
        assertThat(fired).isEmpty();
        d.publishedTo("meter-7", "plant/line-49/valve", at("10.0.0.7"));
        assertThat(fired).singleElement().satisfies(x -> {
            assertThat(x.rule()).isEqualTo("many-new-topics");
            assertThat(x.keyKind()).isEqualTo("username");
            assertThat(x.key()).isEqualTo("meter-7");
            assertThat(x.count()).isEqualTo(50);
            assertThat(x.summary()).isEqualTo("user 'meter-7' published to 50 topics it had not used before in 1m"
                    + " (last: 'plant/line-49/valve')");
            assertThat(x.addresses()).containsExactly("10.0.0.7");
        });
        assertThat(bans).singleElement().asString().startsWith("username meter-7 10m: detection many-new-topics");

        for (int i = 0; i < 50; i++) {
            d.publishedTo("meter-7", "plant/line-" + i + "/valve", at("10.0.0.7"));
        }
        assertThat(fired).as("the same topics are known now").hasSize(1);
    }

    @Test
    void manyNewTopics_ignoresAnIdentityPublishingOftenToItsUsualTopics_andNewTopicsSpreadBeyondTheWindow() {
        Detector d = detector(only(Rule.MANY_NEW_TOPICS, rule(10, Duration.ofMinutes(1), null, 32, 256)));
        for (int round = 0; round < 1000; round++) {
            d.publishedTo("sensor", "site/sensor/temp", at("10.0.0.8"));
            d.publishedTo("sensor", "site/sensor/humidity", at("10.0.0.8"));
            d.publishedTo("sensor", "site/sensor/status", at("10.0.0.8"));
        }
        for (int i = 0; i < 30; i++) {
            now = now.plusSeconds(7);
            d.publishedTo("slow", "fleet/" + i, at("10.0.0.9"));
        }
        assertThat(fired).isEmpty();
    }

    @Test
    void manyNewTopics_remembersAtMostTopicsPerIdentity_theOldestAreNewAgain() {
        Detector d = detector(only(Rule.MANY_NEW_TOPICS, rule(5, Duration.ofMinutes(1), null, 32, 4)));
        for (int i = 0; i < 4; i++) {
            d.publishedTo("u", "t/" + i, at("10.0.0.1"));
        }
        now = now.plusSeconds(120);
        d.publishedTo("u", "t/4", at("10.0.0.1"));
        for (int i = 0; i < 4; i++) {
            d.publishedTo("u", "t/" + i, at("10.0.0.1"));
        }
        assertThat(fired).as("t/0 was forgotten when t/4 came, and so on").hasSize(1);
    }

    @Test
    void recentTopics_handsOverATopicOnlyWhenItWasNotPublishedToLately() {
        RecentTopics recent = new RecentTopics();
        assertThat(recent.firstLately("a/b")).isTrue();
        assertThat(recent.firstLately("a/b")).isFalse();
        assertThat(recent.firstLately("a/c")).isTrue();
        assertThat(recent.firstLately("a/b")).isFalse();
    }
}
