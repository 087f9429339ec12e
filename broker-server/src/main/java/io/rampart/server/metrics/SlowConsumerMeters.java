package io.rampart.server.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.rampart.core.session.Session;
import io.rampart.core.session.SessionStore;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-client gauges for the clients whose queue reached its bound (slow consumers): how many messages and bytes their
 * session holds, tagged with the client id, from their first slow-consumer episode until their session ends. At most
 * {@value #MAX_CLIENTS} clients are tracked at once, so that a fleet of slow consumers cannot grow the scrape without
 * bound; past that, the slow-consumer counter and the event log still report every episode.
 */
final class SlowConsumerMeters {

    static final int MAX_CLIENTS = 1_000;
    private static final Logger LOG = LogManager.getLogger(SlowConsumerMeters.class);

    private final MeterRegistry registry;
    private final SessionStore sessions;
    private final Map<String, List<Meter>> tracked = new ConcurrentHashMap<>();
    private volatile boolean warnedFull;

    SlowConsumerMeters(MeterRegistry registry, SessionStore sessions) {
        this.registry = registry;
        this.sessions = sessions;
    }

    void track(String clientId) {
        if (tracked.containsKey(clientId)) {
            return;
        }
        if (tracked.size() >= MAX_CLIENTS) {
            if (!warnedFull) {
                warnedFull = true;
                LOG.warn("{} slow consumers have per-client gauges already; further ones are only counted"
                        + " (rampart.slow.consumers) and logged", MAX_CLIENTS);
            }
            return;
        }
        tracked.computeIfAbsent(clientId, id -> List.of(
                Gauge.builder("rampart.slow.consumer.queued.messages", this, m -> m.queued(id, false))
                        .tag("client", id).description("Messages queued for a client that reached its queue bound")
                        .register(registry),
                Gauge.builder("rampart.slow.consumer.queued.bytes", this, m -> m.queued(id, true)).baseUnit("bytes")
                        .tag("client", id).description("Bytes queued for a client that reached its queue bound")
                        .register(registry)));
    }

    void untrack(String clientId) {
        List<Meter> meters = tracked.remove(clientId);
        if (meters != null) {
            meters.forEach(registry::remove);
            warnedFull = false;
        }
    }

    private double queued(String clientId, boolean bytes) {
        Session s = sessions.get(clientId);
        if (s == null) {
            return 0;
        }
        return bytes ? s.queuedBytes() : s.queuedCount();
    }
}
