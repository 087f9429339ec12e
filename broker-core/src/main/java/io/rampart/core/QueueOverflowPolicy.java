package io.rampart.core;

/** What a full per-session message queue gives up to make room. Either way the drop is counted and logged. */
public enum QueueOverflowPolicy {
    /** Discard the oldest queued message and keep the new one. */
    DROP_OLDEST,
    /** Keep the queue as it is and discard the new message. */
    DROP_NEWEST
}
