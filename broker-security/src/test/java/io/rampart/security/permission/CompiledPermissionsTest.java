package io.rampart.security.permission;

import io.rampart.security.spi.IdentityVariables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class CompiledPermissionsTest {

    private static IdentityVariables vars(String clientId, String username) {
        IdentityVariables v = new IdentityVariables();
        if (clientId != null) {
            v.set(IdentityVariables.CLIENT_ID, clientId);
        }
        if (username != null) {
            v.set(IdentityVariables.USERNAME, username);
        }
        return v;
    }

    @Test
    void defaultDeny_withoutRules() {
        CompiledPermissions p = CompiledPermissions.compile(List.of(), vars("c", "u"));
        assertThat(p.mayPublish("a", 0, false)).isFalse();
        assertThat(p.maySubscribe("a", 0, null)).isFalse();
        assertThat(p.mayReceive("a")).isFalse();
    }

    @Test
    void placeholder_restrictsDeviceToItsOwnTopics() {
        CompiledPermissions p = CompiledPermissions.compile(
                List.of(Permission.allow("devices/${mqtt-clientid}/#", Activity.PUBLISH)), vars("dev1", null));
        assertThat(p.mayPublish("devices/dev1/temp", 1, false)).isTrue();
        assertThat(p.mayPublish("devices/dev2/temp", 1, false)).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"+", "#", "a/b", "''", "x+y"})
    void placeholder_withWildcardOrSlashValue_neverWidensAllow(String clientId) {
        CompiledPermissions p = CompiledPermissions.compile(
                List.of(Permission.allow("devices/${mqtt-clientid}/#", Activity.ALL)), vars(clientId, null));
        assertThat(p.ruleCount()).isZero();
        assertThat(p.mayPublish("devices/other/x", 0, false)).isFalse();
        assertThat(p.maySubscribe("devices/+/x", 0, null)).isFalse();
    }

    @Test
    void placeholder_withUnsafeValue_widensDenyInstead() {
        CompiledPermissions p = CompiledPermissions.compile(List.of(
                Permission.allow("#", Activity.ALL),
                Permission.deny("secret/${mqtt-username}/#", Activity.ALL)), vars("c", "a/b"));
        assertThat(p.mayPublish("secret/anyone/x", 0, false)).isFalse();
        assertThat(p.mayPublish("public/x", 0, false)).isTrue();
    }

    @Test
    void missingPlaceholderVariable_dropsAllowRule() {
        CompiledPermissions p = CompiledPermissions.compile(
                List.of(Permission.allow("users/${mqtt-username}/#", Activity.ALL)), vars("c", null));
        assertThat(p.mayPublish("users/null/x", 0, false)).isFalse();
    }

    @Test
    void denyWinsOverAllow() {
        CompiledPermissions p = CompiledPermissions.compile(List.of(
                Permission.allow("a/#", Activity.ALL),
                Permission.deny("a/secret/#", Activity.ALL)), vars("c", "u"));
        assertThat(p.mayPublish("a/open", 0, false)).isTrue();
        assertThat(p.mayPublish("a/secret/x", 0, false)).isFalse();
        assertThat(p.maySubscribe("a/secret/#", 0, null)).isFalse();
        assertThat(p.maySubscribe("a/#", 0, null)).as("overlapping deny filters delivery instead").isTrue();
        assertThat(p.mayReceive("a/open")).isTrue();
        assertThat(p.mayReceive("a/secret/x")).isFalse();
    }

    @Test
    void qosAndRetainRestrictions() {
        CompiledPermissions p = CompiledPermissions.compile(List.of(
                new Permission("t/#", Activity.ALL, 0b011, false, true, Set.of(), Effect.ALLOW)), vars("c", "u"));
        assertThat(p.mayPublish("t/x", 1, false)).isTrue();
        assertThat(p.mayPublish("t/x", 2, false)).isFalse();
        assertThat(p.mayPublish("t/x", 0, true)).isFalse();
        assertThat(p.maySubscribe("t/#", 2, null)).isFalse();
        assertThat(p.maySubscribe("t/#", 1, null)).isTrue();
    }

    @Test
    void denyForQos2Only() {
        CompiledPermissions p = CompiledPermissions.compile(List.of(
                Permission.allow("#", Activity.ALL),
                new Permission("bulk/#", Activity.PUBLISH, 0b100, true, true, Set.of(), Effect.DENY)), vars("c", "u"));
        assertThat(p.mayPublish("bulk/x", 1, false)).isTrue();
        assertThat(p.mayPublish("bulk/x", 2, false)).isFalse();
    }

    @Test
    void sharedSubscriptionGroups() {
        CompiledPermissions p = CompiledPermissions.compile(List.of(
                new Permission("jobs/#", Activity.SUBSCRIBE, Permission.ALL_QOS, true, true, Set.of("workers"), Effect.ALLOW),
                new Permission("events/#", Activity.SUBSCRIBE, Permission.ALL_QOS, true, false, Set.of(), Effect.ALLOW)),
                vars("c", "u"));
        assertThat(p.maySubscribe("jobs/#", 1, "workers")).isTrue();
        assertThat(p.maySubscribe("jobs/#", 1, "others")).isFalse();
        assertThat(p.maySubscribe("jobs/#", 1, null)).isTrue();
        assertThat(p.maySubscribe("events/#", 1, "any")).isFalse();
        assertThat(p.maySubscribe("events/#", 1, null)).isTrue();
    }

    @Test
    void activitySeparatesPublishAndSubscribe() {
        CompiledPermissions p = CompiledPermissions.compile(List.of(
                Permission.allow("in/#", Activity.PUBLISH),
                Permission.allow("out/#", Activity.SUBSCRIBE)), vars("c", "u"));
        assertThat(p.mayPublish("in/x", 0, false)).isTrue();
        assertThat(p.maySubscribe("in/x", 0, null)).isFalse();
        assertThat(p.maySubscribe("out/x", 0, null)).isTrue();
        assertThat(p.mayPublish("out/x", 0, false)).isFalse();
    }

    @Test
    void clientId_withoutClientIdRules_isFree() {
        CompiledPermissions p = CompiledPermissions.compile(List.of(Permission.allow("a/#", Activity.ALL)), vars("x", "bob"));
        assertThat(p.clientIdRefusal("anything")).isNull();
        assertThat(CompiledPermissions.NONE.clientIdRefusal("anything")).isNull();
    }

    @ParameterizedTest
    @CsvSource({"bob-1, true", "bob-, true", "bob-x-y, true", "alice-1, false", "bob, false", "xbob-1, false"})
    void clientId_allowRuleWithPlaceholder_mustMatch(String clientId, boolean allowed) {
        CompiledPermissions p = CompiledPermissions.compile(
                List.of(Permission.clientId("${mqtt-username}-*", Effect.ALLOW)), vars(clientId, "bob"));
        assertThat(p.clientIdRefusal(clientId) == null).isEqualTo(allowed);
        assertThat(p.mayPublish("a", 0, false)).as("says nothing about topics").isFalse();
    }

    @Test
    void clientId_refusal_namesTheRulesInForce() {
        CompiledPermissions p = CompiledPermissions.compile(List.of(
                Permission.clientId("${mqtt-username}-*", Effect.ALLOW),
                Permission.clientId("shared-*", Effect.ALLOW),
                Permission.clientId("*-admin", Effect.DENY)), vars("x", "bob"));
        assertThat(p.clientIdRefusal("alice-1"))
                .isEqualTo("client id matches no allow client-id rule (allowed: 'bob-*', 'shared-*')");
        assertThat(p.clientIdRefusal("bob-admin")).isEqualTo("client id matches the deny client-id rule '*-admin'");
        assertThat(p.clientIdRefusal("shared-7")).isNull();
        assertThat(p.ruleCount()).isEqualTo(3);
    }

    @Test
    void clientId_denyOnly_refusesJustWhatItMatches() {
        CompiledPermissions p = CompiledPermissions.compile(
                List.of(Permission.clientId("admin-*", Effect.DENY)), vars("x", "bob"));
        assertThat(p.clientIdRefusal("admin-1")).isNotNull();
        assertThat(p.clientIdRefusal("sensor-1")).isNull();
    }

    @Test
    void clientId_valueIsLiteral_aStarInTheUserNameIsNoWildcard() {
        CompiledPermissions p = CompiledPermissions.compile(
                List.of(Permission.clientId("${mqtt-username}-1", Effect.ALLOW)), vars("x", "*"));
        assertThat(p.clientIdRefusal("*-1")).isNull();
        assertThat(p.clientIdRefusal("bob-1")).isNotNull();
    }

    @Test
    void clientId_allowWithMissingPlaceholder_allowsNothing_denyWithOneGrows() {
        CompiledPermissions allow = CompiledPermissions.compile(
                List.of(Permission.clientId("${mqtt-username}-*", Effect.ALLOW)), vars("x", null));
        assertThat(allow.clientIdRefusal("-1")).isEqualTo(
                "the client-id rules allow no client id (a placeholder in them has no value)");
        assertThat(allow.clientIdRefusal("bob-1")).isNotNull();

        CompiledPermissions deny = CompiledPermissions.compile(
                List.of(Permission.clientId("${site}-admin", Effect.DENY)), vars("x", "bob"));
        assertThat(deny.clientIdRefusal("berlin-admin")).isNotNull();
        assertThat(deny.clientIdRefusal("berlin-sensor")).isNull();
    }

    @ParameterizedTest
    @CsvSource({"a*b*c, abc, true", "a*b*c, aXbYc, true", "a*b*c, acb, false", "*, '', true", "a**, a, true",
            "*ab*ab, xabab, true", "ab*ab, ab, false", "exact, exact, true", "exact, exactly, false", "a$b, a$b, true"})
    void clientIdPattern_matching(String pattern, String clientId, boolean expected) {
        ClientIdPattern compiled = ClientIdPattern.compile(Permission.clientId(pattern, Effect.ALLOW),
                new IdentityVariables());
        assertThat(compiled.matches(clientId)).isEqualTo(expected);
    }

    @Test
    void clientIdPattern_problems() {
        assertThat(ClientIdPattern.problem("${mqtt-username}-*")).isNull();
        assertThat(ClientIdPattern.problem("")).isEqualTo("a client-id pattern must not be empty");
        assertThat(ClientIdPattern.problem("a${x")).startsWith("malformed placeholder at character 2");
        assertThat(ClientIdPattern.problem("a\0")).isEqualTo("a client-id pattern must not contain NUL");
    }

    @Test
    void explain_namesTheDecidingRuleWithItsOrigin_andAgreesWithTheCheck() {
        RuleOrigin allowAt = RuleOrigin.fileLine("devices", "role 'sensors'", "devices.yaml", 12);
        RuleOrigin denyAt = RuleOrigin.sqlRow("db", "user 'bob'", 42);
        CompiledPermissions p = CompiledPermissions.compile(List.of(
                new Permission("devices/${mqtt-clientid}/#", Activity.ALL, 0b011, false, true, Set.of("g"),
                        Effect.ALLOW, allowAt),
                Permission.deny("devices/+/secret/#", Activity.ALL).withOrigin(denyAt)), vars("dev-1", "bob"));

        CompiledPermissions.Verdict allowed = p.explainPublish("devices/dev-1/temp", 1, false);
        assertThat(allowed.allowed()).isTrue();
        assertThat(allowed.rule().origin()).isEqualTo(allowAt);
        assertThat(allowed.compiled()).isEqualTo("devices/dev-1/#");
        assertThat(allowed.reason()).isEqualTo("allowed by allow rule 'devices/dev-1/#'");

        CompiledPermissions.Verdict denied = p.explainPublish("devices/dev-1/secret/key", 0, false);
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.rule().origin().rowId()).isEqualTo(42);
        assertThat(denied.reason()).isEqualTo("denied by deny rule 'devices/+/secret/#'");

        CompiledPermissions.Verdict none = p.explainPublish("devices/dev-1/temp", 2, false);
        assertThat(none.allowed()).isFalse();
        assertThat(none.rule()).isNull();
        assertThat(none.reason()).isEqualTo("default deny: no rule matched");
        assertThat(p.explainPublish("devices/dev-1/temp", 1, true).rule()).as("retain not allowed").isNull();

        assertThat(p.explainSubscribe("devices/dev-1/#", 1, null).rule().origin()).isEqualTo(allowAt);
        assertThat(p.explainSubscribe("devices/dev-1/#", 1, "other").allowed()).as("share group").isFalse();
        assertThat(p.explainSubscribe("devices/+/secret/#", 0, null).rule().origin()).isEqualTo(denyAt);
        assertThat(p.explainReceive("devices/dev-1/secret/x").rule().origin()).isEqualTo(denyAt);
        assertThat(p.explainReceive("devices/dev-1/x").allowed()).isTrue();

        for (String topic : List.of("devices/dev-1/temp", "devices/dev-1/secret/k", "devices/dev-2/x", "other")) {
            for (int qos = 0; qos <= 2; qos++) {
                for (boolean retain : new boolean[]{false, true}) {
                    assertThat(p.explainPublish(topic, qos, retain).allowed())
                            .isEqualTo(p.mayPublish(topic, qos, retain));
                }
                assertThat(p.explainSubscribe(topic, qos, null).allowed()).isEqualTo(p.maySubscribe(topic, qos, null));
            }
            assertThat(p.explainReceive(topic).allowed()).isEqualTo(p.mayReceive(topic));
        }
    }

    @Test
    void explain_agreesWithEveryCheck_overARuleSetWithEachCondition() {
        CompiledPermissions p = CompiledPermissions.compile(List.of(
                Permission.deny("a/secret/#", Activity.PUBLISH),
                new Permission("a/+/deny1", Activity.SUBSCRIBE, 0b010, true, true, Set.of(), Effect.DENY),
                new Permission("a/#", Activity.PUBLISH, 0b001, false, false, Set.of(), Effect.ALLOW),
                new Permission("a/+/r", Activity.PUBLISH, 0b111, true, false, Set.of(), Effect.ALLOW),
                new Permission("s/#", Activity.SUBSCRIBE, 0b011, false, true, Set.of("g1", "g2"), Effect.ALLOW),
                new Permission("s/open/+", Activity.SUBSCRIBE, 0b111, false, true, Set.of(), Effect.ALLOW),
                new Permission("n/+", Activity.ALL, 0b100, false, false, Set.of(), Effect.ALLOW),
                Permission.deny("s/open/x", Activity.ALL)), vars("c", "u"));
        List<String> topics = List.of("a/x", "a/secret/k", "a/y/r", "a/y/deny1", "s/x", "s/open/x", "s/open/y",
                "n/1", "other", "a/#", "s/+/y", "s/open/#", "#");
        List<String> groups = java.util.Arrays.asList(null, "g1", "g3");
        for (String topic : topics) {
            for (int qos = 0; qos <= 2; qos++) {
                for (boolean retain : new boolean[]{false, true}) {
                    if (!topic.contains("#") && !topic.contains("+")) {
                        assertThat(p.explainPublish(topic, qos, retain).allowed()).as("publish %s %d %s", topic, qos,
                                retain).isEqualTo(p.mayPublish(topic, qos, retain));
                    }
                }
                for (String group : groups) {
                    assertThat(p.explainSubscribe(topic, qos, group).allowed()).as("subscribe %s %d %s", topic, qos,
                            group).isEqualTo(p.maySubscribe(topic, qos, group));
                }
            }
            if (!topic.contains("#") && !topic.contains("+")) {
                assertThat(p.explainReceive(topic).allowed()).as("receive %s", topic).isEqualTo(p.mayReceive(topic));
            }
        }
    }

    @Test
    void explainClientId_namesTheClientIdRule() {
        RuleOrigin at = RuleOrigin.fileLine("devices", "role 'sensors'", "devices.yaml", 7);
        CompiledPermissions p = CompiledPermissions.compile(List.of(
                Permission.clientId("${mqtt-username}-*", Effect.ALLOW).withOrigin(at),
                Permission.clientId("bob-admin", Effect.DENY)), vars("x", "bob"));
        assertThat(p.explainClientId("bob-1").rule().origin()).isEqualTo(at);
        assertThat(p.explainClientId("bob-1").compiled()).isEqualTo("bob-*");
        assertThat(p.explainClientId("bob-admin").allowed()).isFalse();
        assertThat(p.explainClientId("bob-admin").reason()).isEqualTo(p.clientIdRefusal("bob-admin"));
        assertThat(p.explainClientId("alice-1").rule()).isNull();
        assertThat(p.explainClientId("alice-1").reason()).isEqualTo(p.clientIdRefusal("alice-1"));
        CompiledPermissions free = CompiledPermissions.compile(List.of(Permission.allow("#", Activity.ALL)), vars("x", "y"));
        assertThat(free.explainClientId("anything").allowed()).isTrue();
        assertThat(free.clientIdRefusal("anything")).isNull();
    }

    @Test
    void permissions_thatDifferOnlyInOrigin_areEqual() {
        Permission a = Permission.allow("a/#", Activity.ALL).withOrigin(RuleOrigin.fileLine("r", null, "f", 1));
        Permission b = Permission.allow("a/#", Activity.ALL).withOrigin(RuleOrigin.fileLine("r", null, "f", 9));
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isEqualTo(Permission.allow("a/#", Activity.ALL));
        assertThat(a).isNotEqualTo(Permission.allow("a/+", Activity.ALL));
    }

    @ParameterizedTest
    @CsvSource({
            "#, a/b/c, true",
            "#, #, true",
            "a/#, a, true",
            "a/#, a/#, true",
            "a/#, a/+/c, true",
            "a/+, a/b, true",
            "a/+, a/+, true",
            "a/+, a/#, false",
            "a/+, a/b/c, false",
            "a/b, a/+, false",
            "a/b, a/b, true",
            "a/b, a/bc, false",
            "a/+/c, a/b/c, true",
            "a/+/c, a/b/d, false",
            "+/x, $SYS/x, false",
            "#, $SYS/#, false",
            "$SYS/#, $SYS/broker/x, true",
            "a, a/#, false",
            "a//b, a//b, true",
            "a/+/b, a//b, true",
    })
    void covers(String granted, String requested, boolean expected) {
        assertThat(CompiledPermissions.covers(granted, requested)).isEqualTo(expected);
    }
}
