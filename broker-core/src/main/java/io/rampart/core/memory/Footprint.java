package io.rampart.core.memory;

import io.rampart.core.message.Message;
import io.rampart.core.message.MessageProperties;
import io.rampart.core.message.UserProperty;

/**
 * What queued messages cost in memory. A message is one shared part (payload, topic, properties and the objects that
 * hold them), the same for every session it is delivered to, and one envelope per delivery (the per-subscriber
 * {@code Outgoing} and its slot in the queue). The memory budget counts the shared part once however many queues hold
 * the message; a session's own queue bound counts both parts for each of its messages.
 */
public final class Footprint {

    /** The message object, the payload array's header and the topic string around the shared bytes. */
    public static final int MESSAGE_OVERHEAD = 96;
    /** One delivery: the {@code Outgoing} object and its slot in a queue or the inflight window. */
    public static final int ENVELOPE = 80;

    private Footprint() {
    }

    /** The bytes one delivery of {@code message} holds as its session sees it: its envelope and the shared part. */
    public static int of(Message message) {
        return (int) Math.min(Integer.MAX_VALUE, ENVELOPE + shared(message));
    }

    /** The bytes of {@code message} shared by all its deliveries. */
    public static long shared(Message message) {
        long bytes = MESSAGE_OVERHEAD + (long) message.payload().length + message.topic().length();
        MessageProperties p = message.properties();
        if (p != MessageProperties.NONE) {
            bytes += properties(p);
        }
        return bytes;
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
