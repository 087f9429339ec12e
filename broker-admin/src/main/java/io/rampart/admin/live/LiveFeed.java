package io.rampart.admin.live;

/**
 * What the broker tells the Control Center's live views: its security decisions (the access log) and clients
 * that connected or left. The server calls it from its I/O threads; each call returns at once. When nobody
 * watches, {@link #wantsAccess()} and {@link #wantsClientChanges()} are {@code false} and the server skips the
 * call altogether, so an unwatched feed costs one volatile read per decision.
 */
public interface LiveFeed {

    /** Nobody ever watches. */
    LiveFeed NONE = new LiveFeed() {
        @Override
        public boolean wantsAccess() {
            return false;
        }

        @Override
        public void access(AccessDecision decision) {
        }

        @Override
        public boolean wantsClientChanges() {
            return false;
        }

        @Override
        public void clientChanged(String clientId, boolean connected) {
        }
    };

    boolean wantsAccess();

    void access(AccessDecision decision);

    boolean wantsClientChanges();

    /** A client connected ({@code true}), or disconnected or its session ended ({@code false}). */
    void clientChanged(String clientId, boolean connected);
}
