package io.rampart.core.session;

/**
 * The live network connection of a session, as the core sees it. The core calls {@link #wakeup()} when
 * messages are waiting; the connection then pulls them with {@link Session#pollForSend(int)} on its own
 * thread, respecting its writability.
 */
public interface SessionOutput {

    /** Messages are queued for this connection. Called from any thread; must be cheap and idempotent. */
    void wakeup();

    /** The session was taken over by a new connection with the same client id; close with reason 0x8E. */
    void takenOver();

    /**
     * The session's queue is full and its policy is {@link io.rampart.core.QueueOverflowPolicy#DISCONNECT}: close with
     * reason 0x97 (Quota exceeded) and {@code reason}. Called from any thread, once per slow-consumer episode.
     */
    default void queueOverflow(String reason) {
    }
}
