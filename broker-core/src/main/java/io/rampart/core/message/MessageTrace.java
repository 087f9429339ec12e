package io.rampart.core.message;

/**
 * The distributed trace a message is recorded in, opaque to the core. A message carries one only when the broker
 * records a trace for it; the router then tells it about each session it offers the message to. Implementations
 * are called on the publishing thread, see no payload, and must be cheap.
 */
public interface MessageTrace {

    /**
     * The message is about to be offered to the session of {@code clientId} at {@code qos}.
     *
     * @return the trace of this one delivery, carried by its {@code Outgoing} to the subscriber's connection, or
     *         {@code null} when this delivery is not traced
     */
    DeliveryTrace offering(String clientId, int qos);
}
