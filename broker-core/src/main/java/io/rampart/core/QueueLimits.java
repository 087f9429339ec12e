package io.rampart.core;

/**
 * How much one session's message queue may hold before its overflow policy applies: the slow-consumer policy of the
 * listener, role or user the session's connection belongs to. What is in flight (sent, not yet acknowledged) does not
 * count here; the receive maximum bounds it.
 *
 * @param maxMessages messages waiting to be sent (1..)
 * @param maxBytes    bytes of those messages as the memory budget counts them; 0 = no bound of its own (the memory
 *                    budget still bounds all queues together)
 * @param overflow    what one more message does to a full queue
 */
public record QueueLimits(int maxMessages, long maxBytes, QueueOverflowPolicy overflow) {

    public QueueLimits {
        if (maxMessages < 1) {
            throw new IllegalArgumentException("max-queued-messages: must be at least 1 (was " + maxMessages + ")");
        }
        if (maxBytes < 0) {
            throw new IllegalArgumentException("max-queued-bytes: must be 0 (no bound) or more (was " + maxBytes + ")");
        }
        if (overflow == null) {
            throw new IllegalArgumentException("queue-overflow: must be one of drop-oldest, drop-newest, disconnect");
        }
    }

    /** Whether a queue of {@code messages} holding {@code bytes} has no room for one more of {@code charge} bytes. */
    public boolean full(int messages, long bytes, long charge) {
        return messages >= maxMessages || (maxBytes > 0 && bytes + charge > maxBytes);
    }

    /** Whether a queue that overflowed has drained to half its bounds, which ends the slow-consumer episode. */
    public boolean drained(int messages, long bytes) {
        return messages <= maxMessages / 2 && (maxBytes == 0 || bytes <= maxBytes / 2);
    }
}
