package io.rampart.server.metrics;

import io.rampart.core.session.SessionStore;

/**
 * Counts over all sessions for the gauges (active, persistent, queued, inflight). One pass visits every
 * session, so the result is kept for a short while: a scrape reads four gauges from one pass.
 */
public final class SessionStats {

    private static final long MAX_AGE_NANOS = 250_000_000L;

    /** Totals over all sessions at one moment. */
    public record Snapshot(long active, long persistent, long queued, long inflight, long takenAt) {
        static final Snapshot EMPTY = new Snapshot(0, 0, 0, 0, 0);
    }

    private final SessionStore sessions;
    private volatile Snapshot last;

    SessionStats(SessionStore sessions) {
        this.sessions = sessions;
    }

    public Snapshot snapshot() {
        Snapshot s = last;
        long now = System.nanoTime();
        if (s != null && now - s.takenAt() < MAX_AGE_NANOS) {
            return s;
        }
        long[] n = new long[4];
        sessions.forEach(session -> {
            if (session.isConnected()) {
                n[0]++;
            } else {
                n[1]++;
            }
            n[2] += session.queuedCount();
            n[3] += session.inflightCount();
        });
        s = new Snapshot(n[0], n[1], n[2], n[3], now);
        last = s;
        return s;
    }
}
