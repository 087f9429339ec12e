package io.rampart.core.memory;

import io.rampart.core.message.Message;
import io.rampart.core.message.MessageProperties;
import io.rampart.core.message.UserProperty;

/**
 * What one queued delivery of a message costs the {@link MemoryBudget}: the payload, topic and properties plus the
 * objects around them (the message, its per-subscriber envelope and its slot in the queue). A message queued for
 * several sessions is counted once per session, although they share one payload: the figure is an upper bound.
 */
public final class Footprint {

    /** Object headers, references and the queue slot around one delivery, bytes (measured with a heap histogram). */
    public static final int OVERHEAD = 160;

    private Footprint() {
    }

    /** The bytes one delivery of {@code message} reserves. */
    public static int of(Message message) {
        long bytes = OVERHEAD + (long) message.payload().length + message.topic().length();
        MessageProperties p = message.properties();
        if (p != MessageProperties.NONE) {
            bytes += properties(p);
        }
        return (int) Math.min(Integer.MAX_VALUE, bytes);
    }

    private static long properties(MessageProperties p) {
        long bytes = 0;
        if (p.contentType() != null) {
            bytes += 40 + p.contentType().length();
        }
        if (p.responseTopic() != null) {
            bytes += 40 + p.responseTopic().length();
        }
        if (p.correlationData() != null) {
            bytes += 16 + p.correlationData().length;
        }
        for (UserProperty up : p.userProperties()) {
            bytes += 96 + up.name().length() + up.value().length();
        }
        return bytes;
    }
}
