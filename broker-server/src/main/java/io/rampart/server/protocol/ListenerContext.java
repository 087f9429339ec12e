package io.rampart.server.protocol;

import io.rampart.core.QueueLimits;
import io.rampart.core.QueueOverflowPolicy;
import io.rampart.security.limits.IdentityLimits;
import io.rampart.server.gate.ConnectGate;
import io.rampart.server.observe.Observers;
import io.rampart.server.security.AccessLog;
import io.rampart.server.tracing.Tracing;

/**
 * What a connection needs to know about the listener that accepted it, and the broker-wide seams it reports to.
 *
 * @param limits        the limits of every client of the listener (its {@code limits:}); a client's role or user
 *                      may set stricter ones
 * @param maxPacketSize the largest packet the listener's decoder accepts: the smaller of {@code mqtt.max-packet-size}
 *                      and the listener's {@code limits.max-packet-size}
 * @param queueLimits   the slow-consumer policy of the listener's clients: its own queue settings over the broker's;
 *                      a client's role or user may set a smaller bound and its own overflow policy
 * @param tracing       the broker's distributed tracing, {@code null} when it is off
 * @param observers     who watches packets (trace recordings)
 */
public record ListenerContext(String name, String type, ConnectGate gate, AccessLog accessLog, IdentityLimits limits,
                              int maxPacketSize, QueueLimits queueLimits, Tracing tracing, Observers observers) {

    public ListenerContext {
        limits = limits == null ? IdentityLimits.NONE : limits;
    }

    /**
     * A listener of a broker without distributed tracing, with {@code queueLimits} as its slow-consumer policy, whose
     * packets no tap watches.
     */
    public ListenerContext(String name, String type, ConnectGate gate, AccessLog accessLog, IdentityLimits limits,
                           int maxPacketSize, QueueLimits queueLimits) {
        this(name, type, gate, accessLog, limits, maxPacketSize, queueLimits, null, new Observers());
    }

    /**
     * The slow-consumer policy of a client with {@code identity} limits (the strictest of its user's and roles'): the
     * smaller of each bound, the listener's and the identity's; the identity's overflow policy when it sets one, else
     * the listener's.
     */
    public QueueLimits queueLimitsFor(IdentityLimits identity) {
        if (!identity.setsQueue()) {
            return queueLimits;
        }
        int messages = identity.maxQueuedMessages() == 0 ? queueLimits.maxMessages()
                : Math.min(queueLimits.maxMessages(), identity.maxQueuedMessages());
        long bytes = identity.maxQueuedBytes() == 0 ? queueLimits.maxBytes()
                : queueLimits.maxBytes() == 0 ? identity.maxQueuedBytes()
                : Math.min(queueLimits.maxBytes(), identity.maxQueuedBytes());
        QueueOverflowPolicy overflow = identity.queueOverflow() == null ? queueLimits.overflow()
                : QueueOverflowPolicy.valueOf(identity.queueOverflow().name());
        return new QueueLimits(messages, bytes, overflow);
    }
}
