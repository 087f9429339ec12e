package io.rampart.core;

/**
 * What a session's full message queue does with one more message (the slow-consumer policy). Whichever it is, the
 * dropped message is counted and logged, and the first overflow of an episode writes a slow-consumer event.
 */
public enum QueueOverflowPolicy {
    /** Discard the oldest queued messages and keep the new one. */
    DROP_OLDEST,
    /** Keep the queue as it is and discard the new message. */
    DROP_NEWEST,
    /**
     * Discard the new message and disconnect the client (MQTT 5: DISCONNECT 0x97 Quota exceeded); a persistent session
     * keeps what it queued, and while it is offline a full queue discards new messages.
     */
    DISCONNECT
}
