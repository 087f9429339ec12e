package io.rampart.security.realm.jwt;

import io.rampart.security.limits.IdentityLimits;
import io.rampart.security.spi.AuthorizationManager;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Grant;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The permissions a JWT realm maps from token scopes ({@code scope-permissions}): for an identity this realm
 * authenticated and whose scopes grant something, allow with those permissions and the limits of its roles
 * ({@code role-limits}); otherwise no opinion, so a later manager (e.g. a file realm that knows the token's roles)
 * decides.
 */
final class ScopeAuthorizer implements AuthorizationManager {

    private final String name;
    private final String realm;
    private final Function<Set<String>, IdentityLimits> roleLimits;

    ScopeAuthorizer(String name, String realm, Function<Set<String>, IdentityLimits> roleLimits) {
        this.name = name;
        this.realm = realm;
        this.roleLimits = roleLimits;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String realm() {
        return realm;
    }

    @Override
    public CompletionStage<Decision<Grant>> authorize(Identity identity, IdentityVariables variables) {
        if (realm.equals(identity.realm()) && !identity.grants().isEmpty()) {
            return CompletableFuture.completedFuture(Decision.allow(new Grant(identity.grants(),
                    roleLimits.apply(identity.roles()))));
        }
        return CompletableFuture.completedFuture(Decision.noOpinion("no scope of '"
                + TokenVerifier.printable(identity.name()) + "' maps to permissions in realm '" + realm + "'"));
    }
}
