package io.rampart.admin.rbac;

import io.rampart.security.permission.AdminGrantSpec;
import io.rampart.security.permission.RuleOrigin;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.rampart.admin.rbac.AdminPermission.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Admin permissions stored in realms become grants by the rules of {@code admin.roles}. */
class GrantRuleFromRealmTest {

    private static final RuleOrigin AT = RuleOrigin.fileLine("admins", "role 'ops'", "users.yaml", 7);

    @Test
    void template_andScopedList_becomeGrants_namedByWhereTheyAreWritten() {
        GrantRule viewer = GrantRule.fromRealm(AdminGrantSpec.template("viewer").withOrigin(AT));
        assertThat(viewer.permissions()).containsExactlyInAnyOrderElementsOf(RoleTemplate.VIEWER.permissions());
        assertThat(viewer.origin()).isEqualTo("realm 'admins', role 'ops', users.yaml line 7");

        GrantRule scoped = GrantRule.fromRealm(new AdminGrantSpec(null, List.of("clients:disconnect", "policy:check"),
                "site-a/*", "site-a/#", AT));
        AdminGrants grants = AdminGrants.compile(List.of(scoped), Map.of());
        assertThat(grants.forClient(CLIENTS_DISCONNECT, "site-a/pump")).isPresent();
        assertThat(grants.forClient(CLIENTS_DISCONNECT, "site-b/pump")).isEmpty();
        assertThat(grants.forTopic(POLICY_CHECK, "site-a/x")).isPresent();
        assertThat(grants.forTopic(POLICY_CHECK, "site-b/x")).isEmpty();
    }

    @Test
    void unusableEntries_areRefusedWithKeyAndReason() {
        assertThatThrownBy(() -> GrantRule.fromRealm(AdminGrantSpec.template("viewr")))
                .hasMessageStartingWith("template: unknown template 'viewr' (known: viewer, operator");
        assertThatThrownBy(() -> GrantRule.fromRealm(new AdminGrantSpec(null, List.of("clients:fly"), null, null, null)))
                .hasMessageStartingWith("permissions: unknown permission 'clients:fly'");
        assertThatThrownBy(() -> GrantRule.fromRealm(new AdminGrantSpec(null, List.of("bans:write"), "a/*", null, null)))
                .hasMessageStartingWith("permissions: bans:write cannot be scoped");
        assertThatThrownBy(() -> GrantRule.fromRealm(new AdminGrantSpec(null, List.of("policy:check"), "a/*", null,
                null))).hasMessage("topics: is required in a scoped rule that grants policy:check");
    }
}
