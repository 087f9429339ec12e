package io.rampart.server.it.support;

import io.rampart.security.spi.AuthenticationManager;
import io.rampart.security.spi.AuthenticationRequest;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Identity;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A {@code type: custom} authentication manager whose realm never answers (the pipeline's timeout must). */
public final class SecSlowAuthenticator implements AuthenticationManager {

    private final String name;

    public SecSlowAuthenticator(String name, Map<String, String> options) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String realm() {
        return "slow-realm";
    }

    @Override
    public CompletionStage<Decision<Identity>> authenticate(AuthenticationRequest request) {
        return new CompletableFuture<>();
    }
}
