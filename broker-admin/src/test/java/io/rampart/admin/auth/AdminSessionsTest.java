package io.rampart.admin.auth;

import io.rampart.admin.MutableClock;
import io.rampart.admin.config.SessionSettings;
import io.rampart.admin.rbac.AdminGrants;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class AdminSessionsTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final AdminSessions sessions = new AdminSessions(
            new SessionSettings(Duration.ofMinutes(30), Duration.ofHours(2), 2), clock);

    private static AdminPrincipal alice() {
        return new AdminPrincipal("alice", "admins", AuthMethod.BASIC, null, Set.of(), Map.of(), "password", null,
                AdminGrants.NONE);
    }

    @Test
    void everyLogin_getsANewId_andItsOwnCsrfToken() {
        AdminSessions.Created a = sessions.create(alice());
        AdminSessions.Created b = sessions.create(alice());
        assertThat(a.id()).isNotEqualTo(b.id()).hasSize(43);
        assertThat(a.session().csrfToken()).isNotEqualTo(b.session().csrfToken());
        assertThat(sessions.find(a.id()).principal().method()).isEqualTo(AuthMethod.SESSION);
        assertThat(a.session().csrfMatches(a.session().csrfToken())).isTrue();
        assertThat(a.session().csrfMatches(b.session().csrfToken())).isFalse();
        assertThat(a.session().csrfMatches(null)).isFalse();
    }

    @Test
    void idleTimeout_endsAnUnusedSession_useKeepsItAlive() {
        AdminSessions.Created a = sessions.create(alice());
        clock.advance(Duration.ofMinutes(29));
        assertThat(sessions.find(a.id())).isNotNull();
        clock.advance(Duration.ofMinutes(29));
        assertThat(sessions.find(a.id())).isNotNull();
        clock.advance(Duration.ofMinutes(30));
        assertThat(sessions.find(a.id())).isNull();
    }

    @Test
    void aLookupThatIsNoActivity_doesNotKeepTheSessionAlive_andIsLiveSaysWhenItEnded() {
        AdminSessions.Created a = sessions.create(alice());
        clock.advance(Duration.ofMinutes(20));
        assertThat(sessions.find(a.id(), false)).isNotNull();
        assertThat(sessions.expiresAt(a.session())).isEqualTo(Instant.parse("2030-01-01T00:30:00Z"));
        assertThat(sessions.isLive(a.session())).isTrue();
        clock.advance(Duration.ofMinutes(10));
        assertThat(sessions.isLive(a.session())).isFalse();
        assertThat(sessions.find(a.id(), false)).isNull();

        AdminSessions.Created b = sessions.create(alice());
        assertThat(sessions.isLive(b.session())).isTrue();
        sessions.remove(b.id());
        assertThat(sessions.isLive(b.session())).as("after logout").isFalse();
    }

    @Test
    void absoluteTimeout_endsASessionInUse() {
        AdminSessions.Created a = sessions.create(alice());
        for (int i = 0; i < 7; i++) {
            clock.advance(Duration.ofMinutes(15));
            assertThat(sessions.find(a.id())).isNotNull();
        }
        clock.advance(Duration.ofMinutes(15));
        assertThat(sessions.find(a.id())).isNull();
    }

    @Test
    void logout_endsTheSessionOnTheServer_andTheTableIsBounded() {
        AdminSessions.Created a = sessions.create(alice());
        assertThat(sessions.remove(a.id())).isTrue();
        assertThat(sessions.find(a.id())).isNull();
        AdminSessions.Created first = sessions.create(alice());
        clock.advance(Duration.ofSeconds(1));
        sessions.create(alice());
        clock.advance(Duration.ofSeconds(1));
        sessions.create(alice());
        assertThat(sessions.size()).isEqualTo(2);
        assertThat(sessions.find(first.id())).as("the oldest made room").isNull();
    }
}
