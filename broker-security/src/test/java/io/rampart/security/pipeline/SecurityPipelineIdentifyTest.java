package io.rampart.security.pipeline;

import io.rampart.security.permission.CompiledPermissions;
import io.rampart.security.spi.AuthenticationManager;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link SecurityPipeline#identify}: the authentication chain alone, for callers with permissions of their own. */
class SecurityPipelineIdentifyTest {

    private final ExecutorService executor = Executors.newFixedThreadPool(2);

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
    }

    private SecurityPipeline pipeline(AuthenticationManager... managers) {
        return new SecurityPipeline("admin", List.of(), List.of(managers), List.of(), executor, Duration.ofSeconds(5));
    }

    @Test
    void identify_acceptsWithTheIdentityAndItsAttributes_withoutAnyAuthorizer() {
        AuthenticationManager password = AuthenticationManager.of("pw", "admins", r ->
                CompletableFuture.completedFuture(Decision.allow(new Identity(r.username(), Set.of("admins"), List.of(),
                        Map.of("ldap-dept", "ops"), "pw", "admins"))));
        SecurityResult result = pipeline(password).identify(new IdentityVariables().set(IdentityVariables.USERNAME, "alice"),
                "x".getBytes(), null, null).toCompletableFuture().join();
        assertThat(result).isInstanceOfSatisfying(SecurityResult.Accepted.class, a -> {
            assertThat(a.identity().name()).isEqualTo("alice");
            assertThat(a.identity().roles()).containsExactly("admins");
            assertThat(a.permissions()).isSameAs(CompiledPermissions.NONE);
            assertThat(a.variables().get("ldap-dept")).isEqualTo("ops");
        });
        assertThat(pipeline(password).connect(new IdentityVariables().set(IdentityVariables.USERNAME, "alice"),
                "x".getBytes()).toCompletableFuture().join()).as("connect would need grants or an authorizer")
                .isInstanceOf(SecurityResult.Refused.class);
    }

    @Test
    void identify_refusesLikeConnect_whenNoManagerAccepts_orOneFails() {
        AuthenticationManager none = AuthenticationManager.of("none", null, r ->
                CompletableFuture.completedFuture(Decision.noOpinion("no user name")));
        assertThat(pipeline(none).identify(new IdentityVariables(), null, null, null).toCompletableFuture().join())
                .isInstanceOfSatisfying(SecurityResult.Refused.class,
                        r -> assertThat(r.kind()).isEqualTo(Decision.DenyKind.BAD_CREDENTIALS));
        AuthenticationManager broken = AuthenticationManager.of("ldap", "dir", r -> CompletableFuture.failedFuture(
                new IllegalStateException("directory unreachable")));
        assertThat(pipeline(broken).identify(new IdentityVariables(), null, null, null).toCompletableFuture().join())
                .isInstanceOfSatisfying(SecurityResult.Refused.class,
                        r -> assertThat(r.kind()).isEqualTo(Decision.DenyKind.UNAVAILABLE));
    }
}
