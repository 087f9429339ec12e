package io.rampart.server.security;

import io.rampart.security.spi.AuthenticationManager;
import io.rampart.security.spi.Realm;
import io.rampart.security.x509.X509Authenticator;
import io.rampart.security.x509.X509Settings;
import io.rampart.server.config.SecurityConfig;

import java.util.Map;

/** Builds the client-certificate authentication manager from its configuration. */
final class X509Managers {

    private X509Managers() {
    }

    static AuthenticationManager create(SecurityConfig.Manager manager, Map<String, Realm> realms) {
        return new X509Authenticator((X509Settings) manager.settings());
    }
}
