package io.rampart.security.spi;

/**
 * What a client presented, as seen by the authentication chain.
 *
 * @param variables  identity variables after preprocessing (client id, user name, listener, address, ...)
 * @param password   the raw password bytes from CONNECT, or {@code null}; never log or keep them
 * @param authMethod the MQTT 5 Authentication Method of the CONNECT (or of an AUTH re-authentication), or
 *                   {@code null} when the client did not use enhanced authentication
 * @param authData   the MQTT 5 Authentication Data, or {@code null}; a secret like the password
 */
public record AuthenticationRequest(IdentityVariables variables, byte[] password, String authMethod, byte[] authData) {

    /** A request without enhanced authentication. */
    public AuthenticationRequest(IdentityVariables variables, byte[] password) {
        this(variables, password, null, null);
    }

    public String clientId() {
        return variables.get(IdentityVariables.CLIENT_ID);
    }

    public String username() {
        return variables.get(IdentityVariables.USERNAME);
    }
}
