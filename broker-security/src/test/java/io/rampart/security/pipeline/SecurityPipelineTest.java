package io.rampart.security.pipeline;

import io.rampart.security.limits.IdentityLimits;
import io.rampart.security.permission.Activity;
import io.rampart.security.permission.Permission;
import io.rampart.security.spi.AuthenticationManager;
import io.rampart.security.spi.AuthenticationRequest;
import io.rampart.security.spi.AuthorizationManager;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Grant;
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
            public CompletionStage<Decision<Grant>> authorize(Identity identity, IdentityVariables variables) {
                return CompletableFuture.completedFuture(decision.map(Grant::of));
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
    void authorization_combinesTheLimitsOfEveryAllowingManager_theStrictestWins() throws Exception {
        IdentityLimits sensor = new IdentityLimits(IdentityLimits.Rate.perSecond(10), null, null, null, 0, null);
        IdentityLimits small = new IdentityLimits(IdentityLimits.Rate.perSecond(500), null, null, null, 4096, null);
        SecurityResult r = run(pipeline(List.of(authn("a", Decision.allow(identity("u", List.of())))), List.of(
                grantingAuthz("files", new Grant(List.of(Permission.allow("a/#", Activity.ALL)), sensor)),
                authz("nobody", Decision.noOpinion("unknown")),
                grantingAuthz("db", new Grant(List.of(), small)))));

        assertThat(r).isInstanceOfSatisfying(SecurityResult.Accepted.class, a -> {
            assertThat(a.limits().publish()).isEqualTo(IdentityLimits.Rate.perSecond(10));
            assertThat(a.limits().maxPacketSize()).isEqualTo(4096);
            assertThat(a.authorizer()).isEqualTo("files+db");
        });
        SecurityResult none = run(pipeline(List.of(authn("a", Decision.allow(identity("u", List.of())))),
                List.of(authz("z", Decision.allow(List.of(Permission.allow("a/#", Activity.ALL)))))));
        assertThat(none).isInstanceOfSatisfying(SecurityResult.Accepted.class,
                a -> assertThat(a.limits()).isEqualTo(IdentityLimits.NONE));
    }

    private static AuthorizationManager grantingAuthz(String name, Grant grant) {
        return AuthorizationManager.of(name, null, (identity, variables) ->
                CompletableFuture.completedFuture(Decision.allow(grant)), null);
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

    private static AuthorizationManager recordingAuthz(String name, List<Identity> seen) {
        return new AuthorizationManager() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public CompletionStage<Decision<Grant>> authorize(Identity identity, IdentityVariables variables) {
                seen.add(identity);
                return CompletableFuture.completedFuture(Decision.allow(Grant.of(identity.roles().stream()
                        .map(role -> Permission.allow(role + "/#", Activity.ALL)).toList())));
            }
        };
    }

    /** A manager of realm "users" whose refresh answers {@code refreshed} (or fails the test when asked). */
    private static AuthenticationManager userRealm(String name, Decision<Identity> refreshed) {
        return AuthenticationManager.of(name, "users", request -> CompletableFuture.completedFuture(
                        Decision.allow(Identity.userOf("users", name, request.username(), Set.of("old"), Map.of()))),
                (identity, variables) -> {
                    if (refreshed == null) {
                        throw new AssertionError("refresh not expected");
                    }
                    return CompletableFuture.completedFuture(refreshed);
                }, null);
    }

    private SecurityResult reauthorize(SecurityPipeline pipeline, Identity identity) throws Exception {
        IdentityVariables v = new IdentityVariables().set(IdentityVariables.CLIENT_ID, "c1").freeze();
        return pipeline.reauthorize(identity, v).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void authorization_combinesTheGrantsOfEveryManagerThatAllows_andNamesThemInChainOrder() throws Exception {
        SecurityResult r = run(pipeline(List.of(authn("a", Decision.allow(identity("u", List.of())))), List.of(
                authz("scopes", Decision.allow(List.of(Permission.allow("telemetry/#", Activity.SUBSCRIBE)))),
                authz("silent", Decision.noOpinion("unknown")),
                authz("roles", Decision.allow(List.of(Permission.allow("sensors/#", Activity.PUBLISH),
                        Permission.deny("telemetry/secret/#", Activity.ALL)))))));
        assertThat(r).isInstanceOfSatisfying(SecurityResult.Accepted.class, a -> {
            assertThat(a.permissions().maySubscribe("telemetry/x", 0, null)).isTrue();
            assertThat(a.permissions().mayPublish("sensors/x", 0, false)).isTrue();
            assertThat(a.permissions().maySubscribe("telemetry/secret/x", 0, null))
                    .as("a deny rule of one manager overrides the allow of another").isFalse();
            assertThat(a.authorizer()).isEqualTo("scopes+roles");
            assertThat(a.granted()).hasSize(3);
        });
    }

    @Test
    void authorization_oneDenyRefuses_whateverTheOthersGranted() throws Exception {
        SecurityResult r = run(pipeline(List.of(authn("a", Decision.allow(identity("u", List.of())))), List.of(
                authz("roles", Decision.allow(List.of(Permission.allow("#", Activity.ALL)))),
                authz("directory", Decision.deny(Decision.DenyKind.NOT_AUTHORIZED, "'u' is no longer in the directory")))));
        assertThat(r).isInstanceOfSatisfying(SecurityResult.Refused.class, f -> {
            assertThat(f.kind()).isEqualTo(Decision.DenyKind.NOT_AUTHORIZED);
            assertThat(f.manager()).isEqualTo("directory");
        });
    }

    @Test
    void authorization_knownUserThatNothingGrants_connectsWithNoPermissions() throws Exception {
        SecurityResult r = run(pipeline(List.of(userRealm("password-users", null)),
                List.of(authz("z", Decision.noOpinion("unknown")))));
        assertThat(r).isInstanceOfSatisfying(SecurityResult.Accepted.class, a -> {
            assertThat(a.permissions().mayPublish("u/x", 0, false)).isFalse();
            assertThat(a.granted()).isEmpty();
            assertThat(a.authorizer()).isEqualTo("password-users");
        });
    }

    @Test
    void reauthorize_readsTheUserAgainFromItsRealm_beforeTheAuthorizersSeeIt() throws Exception {
        Identity before = Identity.userOf("users", "password-users", "u", Set.of("old"), Map.of());
        List<Identity> seen = new java.util.ArrayList<>();
        SecurityPipeline p = pipeline(List.of(userRealm("password-users", Decision.allow(before.withRoles(Set.of("new"))))),
                List.of(recordingAuthz("roles", seen)));

        SecurityResult r = reauthorize(p, before);

        assertThat(seen).extracting(Identity::roles).containsExactly(Set.of("new"));
        assertThat(r).isInstanceOfSatisfying(SecurityResult.Accepted.class, a -> {
            assertThat(a.permissions().mayPublish("new/x", 0, false)).isTrue();
            assertThat(a.permissions().mayPublish("old/x", 0, false)).isFalse();
        });
    }

    @Test
    void reauthorize_userGoneFromItsRealm_isRefusedWithoutAskingTheAuthorizers() throws Exception {
        Identity before = Identity.userOf("users", "password-users", "u", Set.of("old"), Map.of());
        List<Identity> seen = new java.util.ArrayList<>();
        SecurityPipeline p = pipeline(List.of(userRealm("password-users",
                Decision.deny(Decision.DenyKind.NOT_AUTHORIZED, "'u' is no longer a user of realm 'users'"))),
                List.of(recordingAuthz("roles", seen)));

        SecurityResult r = reauthorize(p, before);

        assertThat(seen).isEmpty();
        assertThat(r).isEqualTo(new SecurityResult.Refused(Decision.DenyKind.NOT_AUTHORIZED,
                "'u' is no longer a user of realm 'users'", "password-users", "users"));
    }

    @Test
    void reauthorize_identityWhoseRolesCameWithItsCredential_keepsThem() throws Exception {
        Identity token = new Identity("t", Set.of("old"), List.of(), Map.of(), "password-users", "users");
        List<Identity> seen = new java.util.ArrayList<>();
        SecurityPipeline p = pipeline(List.of(userRealm("password-users", null)), List.of(recordingAuthz("roles", seen)));

        assertThat(reauthorize(p, token)).isInstanceOf(SecurityResult.Accepted.class);
        assertThat(seen).containsExactly(token);
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
    /** What a {@link ChainTrace} heard: "chain manager outcome reason", in order. */
    private static List<String> traced(SecurityPipeline pipeline) throws Exception {
        List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        IdentityVariables v = new IdentityVariables().set(IdentityVariables.CLIENT_ID, "c1").set(IdentityVariables.USERNAME, "u");
        pipeline.connect(v, "pw".getBytes(), null, null, (chain, manager, realm, outcome, reason, started, ended) -> {
            assertThat(ended).isGreaterThanOrEqualTo(started);
            heard.add(chain + " " + manager + " " + outcome + " " + reason);
        }).toCompletableFuture().get(5, TimeUnit.SECONDS);
        return heard;
    }

    @Test
    void connect_tellsTheChainTraceOfEveryManagerAsked_inOrder_withItsAnswer() throws Exception {
        assertThat(traced(pipeline(List.of(
                authn("skip", Decision.noOpinion("not a certificate")),
                authn("pw", Decision.allow(identity("u", List.of())))),
                List.of(authz("files", Decision.allow(List.of(Permission.allow("a/#", Activity.ALL)))),
                        authz("db", Decision.noOpinion("unknown user")))))).containsExactly(
                "AUTHENTICATION skip NO_OPINION not a certificate",
                "AUTHENTICATION pw ALLOW null",
                "AUTHORIZATION files ALLOW null",
                "AUTHORIZATION db NO_OPINION unknown user");
    }

    @Test
    void connect_tellsTheChainTraceOfADenial_andOfAFailure() throws Exception {
        assertThat(traced(pipeline(List.of(authn("pw", Decision.deny(Decision.DenyKind.BAD_CREDENTIALS,
                "wrong password")), authn("never", Decision.allow(identity("u", List.of())))), List.of())))
                .containsExactly("AUTHENTICATION pw DENY wrong password");
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
        assertThat(traced(pipeline(List.of(broken), List.of()))).singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("AUTHENTICATION broken UNAVAILABLE").contains("database down");
    }
}
