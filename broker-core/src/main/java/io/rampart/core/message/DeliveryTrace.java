package io.rampart.core.message;

/**
 * The trace of one message's delivery to one session (see {@link MessageTrace}), opaque to the core: the
 * subscriber's connection continues it when it writes the PUBLISH.
 */
public interface DeliveryTrace {

    /** The session took the message ({@code true}) or refused it at once (offline without QoS, queue full). */
    void offered(boolean queued);
}
