package io.rampart.security.hash;

/**
 * An encoded password hash that cannot be used: unknown format, malformed, or parameters outside the accepted
 * bounds. The message never contains the hash or a password.
 */
public final class InvalidHashException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public InvalidHashException(String message) {
        super(message);
    }
}
