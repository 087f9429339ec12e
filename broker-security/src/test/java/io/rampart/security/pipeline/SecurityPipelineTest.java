package io.rampart.security.pipeline;

import io.rampart.security.permission.Activity;
import io.rampart.security.permission.Permission;
import io.rampart.security.spi.AuthenticationManager;
import io.rampart.security.spi.AuthenticationRequest;
import io.rampart.security.spi.AuthorizationManager;
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
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class SecurityPipelineTest {

    private final ExecutorService executor = Executors.newFixedThreadPool(2);

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
    }

    private static AuthenticationManager authn(String name, Decision<Identity> decision) {
        return new AuthenticationManager() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public CompletionStage<Decision<Identity>> authenticate(AuthenticationRequest request) {
                return CompletableFuture.completedFuture(decision);
            }
        };
    }

    private static AuthorizationManager authz(String name, Decision<List<Permission>> decision) {
        return new AuthorizationManager() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public CompletionStage<Decision<List<Permission>>> authorize(Identity identity, IdentityVariables variables) {
                return CompletableFuture.completedFuture(decision);
            }
        };
    }

    private static Identity identity(String name, List<Permission> grants) {
        return new Identity(name, Set.of(), grants, Map.of(), "m", null);
    }

    private SecurityResult run(SecurityPipeline pipeline) throws Exception {
        IdentityVariables v = new IdentityVariables().set(IdentityVariables.CLIENT_ID, "c1").set(IdentityVariables.USERNAME, "u");
        return pipeline.connect(v, "pw".getBytes()).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private SecurityPipeline pipeline(List<AuthenticationManager> a, List<AuthorizationManager> z) {
        return new SecurityPipeline("p", List.of(), a, z, executor, Duration.ofMillis(500));
    }

    @Test
    void allNoOpinion_deniesAsBadCredentials() throws Exception {
        SecurityResult r = run(pipeline(List.of(authn("a", Decision.noOpinion("no"))), List.of()));
        assertThat(r).isInstanceOfSatisfying(SecurityResult.Refused.class,
                f -> assertThat(f.kind()).isEqualTo(Decision.DenyKind.BAD_CREDENTIALS));
    }

    @Test
    void firstOpinionWins_inOrder() throws Exception {
        SecurityResult r = run(pipeline(List.of(
                authn("skip", Decision.noOpinion("n/a")),
                authn("deny", Decision.deny(Decision.DenyKind.BAD_CREDENTIALS, "wrong password")),
                authn("allow", Decision.allow(identity("u", List.of())))), List.of()));
        assertThat(r).isInstanceOfSatisfying(SecurityResult.Refused.class, f -> {
            assertThat(f.manager()).isEqualTo("deny");
            assertThat(f.reason()).isEqualTo("wrong password");
        });
    }

    @Test
    void authorization_allNoOpinionWithoutGrants_isNotAuthorized() throws Exception {
        SecurityResult r = run(pipeline(List.of(authn("a", Decision.allow(identity("u", List.of())))),
                List.of(authz("z", Decision.noOpinion("unknown")))));
        assertThat(r).isInstanceOfSatisfying(SecurityResult.Refused.class,
                f -> assertThat(f.kind()).isEqualTo(Decision.DenyKind.NOT_AUTHORIZED));
    }

    @Test
    void authorization_identityGrantsUsedWhenNoManagerDecides() throws Exception {
        SecurityResult r = run(pipeline(List.of(authn("anonymous",
                Decision.allow(identity("anonymous", List.of(Permission.allow("public/#", Activity.ALL)))))), List.of()));
        assertThat(r).isInstanceOfSatisfying(SecurityResult.Accepted.class,
                a -> assertThat(a.permissions().mayPublish("public/x", 0, false)).isTrue());
    }

    @Test
    void authorization_compilesPlaceholdersWithClientId() throws Exception {
        SecurityResult r = run(pipeline(List.of(authn("a", Decision.allow(identity("u", List.of())))),
                List.of(authz("z", Decision.allow(List.of(Permission.allow("d/${mqtt-clientid}/#", Activity.ALL)))))));
        assertThat(r).isInstanceOfSatisfying(SecurityResult.Accepted.class, a -> {
            assertThat(a.permissions().mayPublish("d/c1/x", 0, false)).isTrue();
            assertThat(a.permissions().mayPublish("d/c2/x", 0, false)).isFalse();
            assertThat(a.authorizer()).isEqualTo("z");
        });
    }

    @Test
    void slowManager_timesOutAsUnavailable() throws Exception {
        AuthenticationManager slow = new AuthenticationManager() {
            @Override
            public String name() {
                return "slow";
            }

            @Override
            public CompletionStage<Decision<Identity>> authenticate(AuthenticationRequest request) {
                return new CompletableFuture<>();
            }
        };
        SecurityResult r = run(pipeline(List.of(slow), List.of()));
        assertThat(r).isInstanceOfSatisfying(SecurityResult.Refused.class, f -> {
            assertThat(f.kind()).isEqualTo(Decision.DenyKind.UNAVAILABLE);
            assertThat(f.manager()).isEqualTo("slow");
        });
    }

    @Test
    void failingManager_isUnavailable() throws Exception {
        AuthenticationManager broken = new AuthenticationManager() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public CompletionStage<Decision<Identity>> authenticate(AuthenticationRequest request) {
                throw new IllegalStateException("database down");
            }
        };
        SecurityResult r = run(pipeline(List.of(broken), List.of()));
        assertThat(r).isInstanceOfSatisfying(SecurityResult.Refused.class, f -> {
            assertThat(f.kind()).isEqualTo(Decision.DenyKind.UNAVAILABLE);
            assertThat(f.reason()).contains("database down");
        });
    }
}
