package io.rampart.admin.broker;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The recent events of each client, kept by the broker in a bounded ring per client. */
public interface ClientHistory {

    /** {@code clientId}'s events, newest first; empty when the broker keeps none for it. */
    List<ClientEvent> events(String clientId);

    /** Whether histories are kept at all. */
    boolean enabled();

    /**
     * One event.
     *
     * @param type    {@code connected}, {@code connect-refused}, {@code disconnected}, {@code taken-over},
     *                {@code subscribed}, {@code unsubscribed}, {@code subscribe-denied}, {@code publish-denied},
     *                {@code will-published}, {@code session-expired}
     * @param address the client's address where the event has one (shown only with {@code data:address}), else
     *                {@code null}
     * @param details the event's other fields (listener, reason, topic, ...), never an address; a denied publish or
     *                subscribe and a connect refused by a client-id rule add {@code verdict} and {@code rule}, the
     *                rule that decided as the policy simulator shows it
     */
    record ClientEvent(Instant time, String type, InetSocketAddress address, Map<String, Object> details) {
    }

    ClientHistory NONE = new ClientHistory() {
        @Override
        public List<ClientEvent> events(String clientId) {
            return List.of();
        }

        @Override
        public boolean enabled() {
            return false;
        }
    };
}
