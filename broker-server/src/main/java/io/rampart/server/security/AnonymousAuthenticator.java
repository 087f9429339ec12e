package io.rampart.server.security;

import io.rampart.security.permission.Permission;
import io.rampart.security.spi.AuthenticationManager;
import io.rampart.security.spi.AuthenticationRequest;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Identity;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Lets in clients that present no user name, as identity "anonymous" with the permissions given to this
 * manager in the configuration. A client that does present a user name is left to the other managers.
 * The identity has no roles, so realm authorizers have no opinion about it and exactly the configured
 * permissions apply.
 */
final class AnonymousAuthenticator implements AuthenticationManager {

    private final String name;
    private final List<Permission> permissions;

    AnonymousAuthenticator(String name, List<Permission> permissions) {
        this.name = name;
        this.permissions = List.copyOf(permissions);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CompletionStage<Decision<Identity>> authenticate(AuthenticationRequest request) {
        if (request.username() != null || request.password() != null) {
            return CompletableFuture.completedFuture(Decision.noOpinion("credentials presented"));
        }
        return CompletableFuture.completedFuture(Decision.allow(
                new Identity("anonymous", Set.of(), permissions, Map.of(), name, null)));
    }
}
