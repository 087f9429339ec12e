package io.rampart.security.spi;

/**
 * What a client presented, as seen by the authentication chain.
 *
 * @param variables identity variables after preprocessing (client id, user name, listener, address, ...)
 * @param password  the raw password bytes from CONNECT, or {@code null}; never log or keep them
 */
public record AuthenticationRequest(IdentityVariables variables, byte[] password) {

    public String clientId() {
        return variables.get(IdentityVariables.CLIENT_ID);
    }

    public String username() {
        return variables.get(IdentityVariables.USERNAME);
    }
}
