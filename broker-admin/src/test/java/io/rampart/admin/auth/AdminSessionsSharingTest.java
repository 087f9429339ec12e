package io.rampart.admin.auth;

import io.rampart.admin.MutableClock;
import io.rampart.admin.SharedGrid;
import io.rampart.admin.config.SessionSettings;
import io.rampart.admin.rbac.AdminGrants;
import io.rampart.admin.rbac.AdminPermission;
import io.rampart.admin.rbac.GrantRule;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class AdminSessionsSharingTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final SharedGrid grid = new SharedGrid();
    private final SessionSettings settings = new SessionSettings(Duration.ofMinutes(30), Duration.ofHours(2), 100);

    private AdminSessions node() {
        AdminSessions s = new AdminSessions(settings, clock);
        s.share(grid.node(), Runnable::run);
        return s;
    }

    /** A site operator: scoped to its own clients through a placeholder. */
    private static AdminPrincipal otto() {
        GrantRule rule = new GrantRule(Set.of(AdminPermission.CLIENTS_DISCONNECT),
                null, "${admin-username}/*", null, "admin.roles.ops[0]");
        return new AdminPrincipal("otto", "admins", AuthMethod.BASIC, null, Set.of("ops"), Map.of("site", "a"),
                "password", null, AdminGrants.compile(List.of(rule), Map.of("admin-username", "otto")));
    }

    @Test
    void cookieIssuedByOneNode_isValidOnAnother_withTheSameGrantsAndCsrfToken() {
        AdminSessions one = node();
        AdminSessions two = node();
        AdminSessions.Created created = one.create(otto());

        AdminSessions.Session there = two.find(created.id());
        assertThat(there).isNotNull();
        assertThat(there.principal().name()).isEqualTo("otto");
        assertThat(there.principal().method()).isEqualTo(AuthMethod.SESSION);
        assertThat(there.principal().roles()).containsExactly("ops");
        assertThat(there.csrfMatches(created.session().csrfToken())).isTrue();
        assertThat(there.principal().grants().any(AdminPermission.CLIENTS_DISCONNECT)).isPresent();
        assertThat(there.principal().grants().grants().get(0).coversClient("otto/dev-1")).isTrue();
        assertThat(there.principal().grants().grants().get(0).coversClient("eve/dev-1")).isFalse();
    }

    @Test
    void logoutOnAnyNode_endsTheSessionOnEveryNode() {
        AdminSessions one = node();
        AdminSessions two = node();
        AdminSessions.Created created = one.create(otto());
        assertThat(two.find(created.id())).isNotNull();

        assertThat(two.remove(created.id())).isTrue();
        assertThat(one.find(created.id())).isNull();
        assertThat(one.isLive(created.session())).isFalse();
        assertThat(grid.entries()).isEmpty();
    }

    @Test
    void theGridIsKeyedByTheCookiesHash_andNeverHoldsTheCookie() {
        AdminSessions one = node();
        AdminSessions.Created created = one.create(otto());
        assertThat(grid.entries()).hasSize(1);
        String key = grid.entries().keySet().iterator().next();
        assertThat(key).hasSize(64).isNotEqualTo(created.id());
        assertThat(new String(grid.entries().get(key), StandardCharsets.UTF_8)).doesNotContain(created.id());
    }

    @Test
    void useOnOneNode_keepsTheSessionAliveOnTheOther() {
        AdminSessions one = node();
        AdminSessions two = node();
        AdminSessions.Created created = one.create(otto());
        assertThat(two.find(created.id())).isNotNull();
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofMinutes(20));
            assertThat(one.find(created.id())).isNotNull();
        }
        assertThat(two.find(created.id(), false)).as("used on node one 20 minutes ago").isNotNull();
        clock.advance(Duration.ofMinutes(31));
        assertThat(two.find(created.id(), false)).isNull();
    }
}
