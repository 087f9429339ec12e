package io.rampart.admin.rbac;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.rampart.admin.rbac.AdminPermission.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdminGrantsTest {

    private static GrantRule scoped(String clients, String topics, AdminPermission... permissions) {
        return new GrantRule(EnumSet.copyOf(List.of(permissions)), null, clients, topics, "test[0]");
    }

    private static AdminGrants compile(Map<String, String> vars, GrantRule... rules) {
        return AdminGrants.compile(List.of(rules), vars);
    }

    @Test
    void nothingGranted_deniesEverything() {
        AdminGrants none = AdminGrants.compile(List.of(), Map.of());
        assertThat(none.any(CLIENTS_READ)).isEmpty();
        assertThat(none.permissions()).isEmpty();
    }

    @Test
    void superAdmin_holdsEveryPermission_unscoped() {
        AdminGrants g = compile(Map.of(), GrantRule.of(RoleTemplate.SUPER_ADMIN, "admin.roles.admins[0]"));
        assertThat(g.forClient(SESSIONS_DELETE, "anything")).isPresent();
        assertThat(g.forTopic(DATA_PAYLOAD, "a/b")).isPresent();
        assertThat(g.unscoped(BANS_WRITE)).get().extracting(x -> x.rule().origin()).isEqualTo("admin.roles.admins[0]");
        assertThat(g.permissions()).contains(AUDIT_READ, TOKENS_WRITE);
    }

    @Test
    void clientScope_isAGlob_andTopicScopeAFilter() {
        AdminGrants g = compile(Map.of(), scoped("site-a/*", "site-a/#", CLIENTS_READ, RETAINED_READ));
        assertThat(g.forClient(CLIENTS_READ, "site-a/pump-1")).isPresent();
        assertThat(g.forClient(CLIENTS_READ, "site-a")).isEmpty();
        assertThat(g.forClient(CLIENTS_READ, "site-b/pump-1")).isEmpty();
        assertThat(g.forTopic(RETAINED_READ, "site-a/x/y")).isPresent();
        assertThat(g.forTopic(RETAINED_READ, "site-a/../site-b/x")).as("'..' is a plain level").isPresent();
        assertThat(g.forTopic(RETAINED_READ, "site-b/x")).isEmpty();
        assertThat(g.forTopic(CLIENTS_READ, "site-a/x")).as("only the permissions the grant holds").isPresent();
        assertThat(g.forClient(SESSIONS_DELETE, "site-a/pump-1")).isEmpty();
        assertThat(g.unscoped(CLIENTS_READ)).isEmpty();
        assertThat(g.any(CLIENTS_READ)).isPresent();
    }

    @Test
    void filterCoverage_isStrict() {
        AdminGrants g = compile(Map.of(), scoped(null, "site-a/+/temp", RETAINED_READ));
        assertThat(g.forFilter(RETAINED_READ, "site-a/x/temp")).isPresent();
        assertThat(g.forFilter(RETAINED_READ, "site-a/+/temp")).isPresent();
        assertThat(g.forFilter(RETAINED_READ, "site-a/#")).isEmpty();
        assertThat(g.forFilter(RETAINED_READ, "site-a/x/temp/more")).isEmpty();
        assertThat(compile(Map.of(), scoped(null, "a/#", RETAINED_READ)).forFilter(RETAINED_READ, "a")).isPresent();
    }

    @Test
    void placeholders_areReplacedPerIdentity_andAValueThatWouldWidenTheScopeMatchesNothing() {
        GrantRule own = scoped("${admin-username}-*", "home/${admin-username}/#", CLIENTS_READ, RETAINED_READ);
        AdminGrants bob = compile(Map.of("admin-username", "bob"), own);
        assertThat(bob.forClient(CLIENTS_READ, "bob-phone")).isPresent();
        assertThat(bob.forClient(CLIENTS_READ, "eve-phone")).isEmpty();
        assertThat(bob.forTopic(RETAINED_READ, "home/bob/light")).isPresent();

        AdminGrants wild = compile(Map.of("admin-username", "#"), own);
        assertThat(wild.forTopic(RETAINED_READ, "home/eve/light")).isEmpty();
        AdminGrants star = compile(Map.of("admin-username", "*"), own);
        assertThat(star.forClient(CLIENTS_READ, "eve-phone")).isEmpty();
        AdminGrants slash = compile(Map.of("admin-username", "a/b"), own);
        assertThat(slash.forTopic(RETAINED_READ, "home/a/b/light")).isEmpty();
        AdminGrants missing = compile(Map.of(), own);
        assertThat(missing.forClient(CLIENTS_READ, "-x")).isEmpty();
        assertThat(missing.any(CLIENTS_READ)).as("held, but reaching nothing").isPresent();
    }

    @Test
    void scopedPermissionList_mayNotNameGlobalPermissions_orMissTheScopeItNeeds() {
        assertThatThrownBy(() -> scoped("a/*", null, BANS_WRITE))
                .hasMessageContaining("permissions: bans:write cannot be scoped");
        assertThatThrownBy(() -> scoped("a/*", null, RETAINED_READ))
                .hasMessage("topics: is required in a scoped rule that grants retained:read");
        assertThatThrownBy(() -> scoped(null, "a/#", CLIENTS_READ))
                .hasMessage("clients: is required in a scoped rule that grants clients:read");
        assertThatThrownBy(() -> scoped(null, "a/#/b", RETAINED_READ)).hasMessageStartingWith("topics: is not a valid topic filter");
        assertThatThrownBy(() -> scoped("${bad name}", null, CLIENTS_READ)).hasMessageContaining("malformed placeholder");
    }

    @Test
    void scopedTemplate_keepsOnlyThePermissionsItsScopeRestricts() {
        GrantRule operator = new GrantRule(RoleTemplate.OPERATOR.permissions(), "operator", "site-a/*", "site-a/#", "o");
        assertThat(operator.permissions()).contains(CLIENTS_READ, CLIENTS_DISCONNECT, RETAINED_DELETE)
                .doesNotContain(METRICS_READ);
        GrantRule clientsOnly = new GrantRule(RoleTemplate.OPERATOR.permissions(), "operator", "site-a/*", null, "o");
        assertThat(clientsOnly.permissions()).contains(CLIENTS_READ).doesNotContain(RETAINED_READ);
        assertThatThrownBy(() -> new GrantRule(RoleTemplate.SUPER_ADMIN.permissions(), "super-admin", "a/*", null, "o"))
                .hasMessageContaining("no permission that can be scoped");
    }

    @Test
    void within_refusesMoreThanTheHolderHas() {
        AdminGrants viewer = compile(Map.of(), GrantRule.of(RoleTemplate.VIEWER, "v"));
        AdminGrants operator = compile(Map.of(), GrantRule.of(RoleTemplate.OPERATOR, "o"));
        AdminGrants siteA = compile(Map.of(), scoped("site-a/*", "site-a/#", CLIENTS_READ));
        AdminGrants siteB = compile(Map.of(), scoped("site-b/*", "site-b/#", CLIENTS_READ));
        assertThat(viewer.within(operator)).isTrue();
        assertThat(operator.within(viewer)).isFalse();
        assertThat(siteA.within(operator)).isTrue();
        assertThat(siteA.within(siteA)).isTrue();
        assertThat(siteA.within(siteB)).isFalse();
        assertThat(operator.within(siteA)).isFalse();
    }

    @Test
    void roleMapping_tokensMayNameTemplatesDirectly() {
        RoleMapping mapping = new RoleMapping(Map.of("ops", List.of(GrantRule.of(RoleTemplate.OPERATOR, "admin.roles.ops[0]"))));
        assertThat(mapping.rulesFor(Set.of("ops", "unknown"))).hasSize(1);
        assertThat(mapping.rulesForToken(List.of("viewer"), "t1")).singleElement()
                .satisfies(r -> assertThat(r.origin()).isEqualTo("token t1 role viewer"));
        assertThat(mapping.knowsTokenRole("ops")).isTrue();
        assertThat(mapping.knowsTokenRole("nope")).isFalse();
    }
}
