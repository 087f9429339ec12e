package io.rampart.admin.broker;

/** Changes a realm user's own password (file realms); implemented by the server, which owns the realms. */
public interface PasswordChanges {

    /** No realm supports it. */
    PasswordChanges NONE = (realm, username, password) -> {
        throw new Refused("realm '" + realm + "' does not let the admin API change passwords");
    };

    /**
     * Stores a new hash of {@code password} for {@code username} in {@code realm} and makes it effective at once.
     *
     * @throws Refused when the realm cannot change passwords here or the change failed (the message says why)
     */
    void change(String realm, String username, char[] password) throws Refused;

    /** A change that did not happen; the message is for the caller. */
    final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        public Refused(String message) {
            super(message);
        }
    }
}
