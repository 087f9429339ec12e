package io.rampart.server.it.support;

import io.rampart.security.spi.AuthenticationManager;
import io.rampart.security.spi.AuthenticationRequest;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Identity;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/** A {@code type: custom} authentication manager whose realm is down: every call throws. */
public final class SecFailingAuthenticator implements AuthenticationManager {

    private final String name;
    private final String message;

    public SecFailingAuthenticator(String name, Map<String, String> options) {
        this.name = name;
        this.message = options.getOrDefault("message", "realm unreachable");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CompletionStage<Decision<Identity>> authenticate(AuthenticationRequest request) {
        throw new IllegalStateException(message);
    }
}
