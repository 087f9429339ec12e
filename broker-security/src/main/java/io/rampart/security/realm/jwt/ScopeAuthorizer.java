package io.rampart.security.realm.jwt;

import io.rampart.security.permission.Permission;
import io.rampart.security.spi.AuthorizationManager;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The permissions a JWT realm maps from token scopes ({@code scope-permissions}): for an identity this realm
 * authenticated and whose scopes grant something, allow with those permissions; otherwise no opinion, so a
 * later manager (e.g. a file realm that knows the token's roles) decides.
 */
final class ScopeAuthorizer implements AuthorizationManager {

    private final String name;
    private final String realm;

    ScopeAuthorizer(String name, String realm) {
        this.name = name;
        this.realm = realm;
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
    public CompletionStage<Decision<List<Permission>>> authorize(Identity identity, IdentityVariables variables) {
        if (realm.equals(identity.realm()) && !identity.grants().isEmpty()) {
            return CompletableFuture.completedFuture(Decision.allow(identity.grants()));
        }
        return CompletableFuture.completedFuture(Decision.noOpinion("no scope of '"
                + TokenVerifier.printable(identity.name()) + "' maps to permissions in realm '" + realm + "'"));
    }
}
