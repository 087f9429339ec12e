package io.rampart.server.it.support;

import io.rampart.security.spi.AuthorizationManager;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Grant;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A {@code type: custom} authorization manager (no-argument constructor) that never has an opinion. */
public final class SecNoOpinionAuthorizer implements AuthorizationManager {

    @Override
    public String name() {
        return "no-opinion";
    }

    @Override
    public CompletionStage<Decision<Grant>> authorize(Identity identity, IdentityVariables variables) {
        return CompletableFuture.completedFuture(Decision.noOpinion("knows nobody"));
    }
}
