package io.rampart.security.realm.ldap;

import io.rampart.security.permission.Activity;
import io.rampart.security.permission.Effect;
import io.rampart.security.permission.Permission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PermissionSyntaxTest {

    @Test
    void parse_fullRule_readsEveryOption() {
        Permission p = PermissionSyntax.parse("allow publish devices/${mqtt-clientid}/# qos=0,1 retain=false");
        assertThat(p).isEqualTo(new Permission("devices/${mqtt-clientid}/#", Activity.PUBLISH, 0b011, false, true,
                Set.of(), Effect.ALLOW));
    }

    @Test
    void parse_defaults_areThoseOfTheYamlPermissions() {
        assertThat(PermissionSyntax.parse("ALLOW All a/+")).isEqualTo(Permission.allow("a/+", Activity.ALL));
        assertThat(PermissionSyntax.parse("deny subscribe a/#  qos=2")).isEqualTo(
                new Permission("a/#", Activity.SUBSCRIBE, 0b100, true, true, Set.of(), Effect.DENY));
    }

    @Test
    void parse_quotedFilter_keepsSpacesAndEscapes() {
        Permission p = PermissionSyntax.parse("allow subscribe \"plant a/line \\\"1\\\"/#\" shared=true share-groups=g1,g2");
        assertThat(p.topicFilter()).isEqualTo("plant a/line \"1\"/#");
        assertThat(p.shareGroups()).containsExactlyInAnyOrder("g1", "g2");
    }

    @Test
    void parse_clientIdRule() {
        assertThat(PermissionSyntax.parse("allow client-id ${mqtt-username}-*"))
                .isEqualTo(Permission.clientId("${mqtt-username}-*", Effect.ALLOW));
        assertThat(PermissionSyntax.parse("DENY Client-Id \"bob admin*\""))
                .isEqualTo(Permission.clientId("bob admin*", Effect.DENY));
        assertThat(PermissionSyntax.format(Permission.clientId("${mqtt-username}-*", Effect.ALLOW)))
                .isEqualTo("allow client-id ${mqtt-username}-*");
    }

    @ParameterizedTest
    @ValueSource(strings = {"allow publish devices/${mqtt-clientid}/# qos=0,1 retain=false",
            "deny all a/secret/# qos=1", "allow subscribe \"with space/+\" shared=false",
            "allow all x share-groups=a,b", "allow client-id ${mqtt-username}-*", "deny client-id \"a b*\""})
    void format_thenParse_givesTheSameRule(String rule) {
        Permission p = PermissionSyntax.parse(rule);
        assertThat(PermissionSyntax.parse(PermissionSyntax.format(p))).isEqualTo(p);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "allow", "allow publish", "permit publish a", "allow read a", "allow publish a/#/b",
            "allow publish $share/g/a", "allow publish a qos=3", "allow publish a qos=", "allow publish a retain=maybe",
            "allow publish a colour=red", "allow publish a qos=1 qos=2", "deny publish a retain=false",
            "allow publish \"a", "allow publish a+/b", "allow publish a extra", "allow client-id a-* qos=1",
            "allow client-id a-${oops", "allow client-id"})
    void parse_invalidRule_isRefusedWithAReason(String rule) {
        assertThatThrownBy(() -> PermissionSyntax.parse(rule)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("null");
    }
}
