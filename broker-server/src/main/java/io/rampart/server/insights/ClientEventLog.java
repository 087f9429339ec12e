package io.rampart.server.insights;

import io.rampart.admin.api.RuleJson;
import io.rampart.admin.broker.ClientHistory;
import io.rampart.security.permission.CompiledPermissions;
import io.rampart.server.observe.ClientObserver;
import io.rampart.server.security.AccessLog;
import io.rampart.server.security.AccessObserver;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The recent events of each client ({@code insights.client-events}): a ring of at most {@code per-client} events
 * per client id, fed by the broker's client events and security decisions on the thread that made them (a few
 * field copies under the ring's own lock). A client's history outlives its connection by {@code offline-retention}.
 * All histories together hold at most {@code memory} (estimated) bytes: beyond it the histories of offline clients
 * go first, oldest first, and an event that still does not fit is not kept (counted in {@link #dropped()}).
 */
public final class ClientEventLog implements ClientHistory, ClientObserver, AccessObserver, AutoCloseable {

    /** What one event costs beyond its strings (object headers, the map, the ring slot), estimated. */
    private static final int EVENT_OVERHEAD = 160;
    /** What one client's history costs beyond its events, estimated. */
    private static final int RING_OVERHEAD = 200;

    private final InsightSettings.ClientEvents settings;
    private final Clock clock;
    private final Map<String, Ring> rings = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final LongAdder dropped = new LongAdder();
    private final ScheduledFuture<?> cleanUp;

    public ClientEventLog(InsightSettings.ClientEvents settings, Clock clock, ScheduledExecutorService timers) {
        this.settings = settings;
        this.clock = clock;
        this.cleanUp = timers.scheduleWithFixedDelay(this::cleanUp, 10, 10, TimeUnit.SECONDS);
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public List<ClientEvent> events(String clientId) {
        Ring ring = rings.get(clientId);
        return ring == null ? List.of() : ring.newestFirst();
    }

    /** Events not kept because all histories together were at their memory bound. */
    public long dropped() {
        return dropped.sum();
    }

    /** The estimated bytes all histories hold. */
    public long bytes() {
        return bytes.get();
    }

    // ------------------------------------------------------------------ observed

    @Override
    public void connected(String listener, InetSocketAddress address, String clientId, String username,
                          int protocolVersion, boolean cleanStart, boolean sessionPresent, int keepAlive,
                          String tlsProtocol, String tlsCipher, String tlsSubject) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("listener", listener);
        d.put("username", username);
        d.put("protocolVersion", protocolVersion);
        d.put("cleanStart", cleanStart);
        d.put("sessionPresent", sessionPresent);
        d.put("keepAlive", keepAlive);
        if (tlsProtocol != null) {
            Map<String, Object> tls = new LinkedHashMap<>();
            tls.put("protocol", tlsProtocol);
            tls.put("cipher", tlsCipher);
            tls.put("subject", tlsSubject);
            d.put("tls", tls);
        }
        add(clientId, "connected", address, d, Boolean.TRUE);
    }

    @Override
    public void refused(String listener, InetSocketAddress address, String clientId, int reasonCode, String reason) {
        refusedByRule(listener, address, clientId, reasonCode, reason, null);
    }

    @Override
    public void refusedByRule(String listener, InetSocketAddress address, String clientId, int reasonCode,
                              String reason, CompiledPermissions.Verdict rule) {
        if (clientId == null || clientId.isEmpty()) {
            return;
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("listener", listener);
        d.put("reasonCode", reasonCode);
        d.put("reason", reason);
        putRule(d, rule);
        add(clientId, "connect-refused", address, d, null);
    }

    @Override
    public void disconnected(String listener, InetSocketAddress address, String clientId, String close,
                             int reasonCode, String reason) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("listener", listener);
        d.put("close", close);
        d.put("reasonCode", reasonCode < 0 ? null : reasonCode);
        d.put("reason", reason);
        boolean takeover = "takeover".equals(close);
        // A takeover's new connection has already been admitted: the client id stays online.
        add(clientId, takeover ? "taken-over" : "disconnected", address, d, takeover ? null : Boolean.FALSE);
    }

    @Override
    public void subscribed(String clientId, String filter, int qos) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("filter", filter);
        d.put("qos", qos);
        add(clientId, "subscribed", null, d, null);
    }

    @Override
    public void unsubscribed(String clientId, String filter) {
        add(clientId, "unsubscribed", null, Map.of("filter", filter), null);
    }

    @Override
    public void willPublished(String clientId, String topic, int qos, boolean retain) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("topic", topic);
        d.put("qos", qos);
        d.put("retain", retain);
        add(clientId, "will-published", null, d, null);
    }

    @Override
    public void sessionExpired(String clientId) {
        add(clientId, "session-expired", null, Map.of(), null);
    }

    @Override
    public void decided(AccessLog.Action action, boolean allowed, String kind, AccessLog.Subject subject, String topic,
                        int qos, String manager, String realm, String reason) {
        if (!allowed) {
            denied(action, kind, subject, topic, qos, manager, realm, reason, null);
        }
    }

    @Override
    public void denied(AccessLog.Action action, String kind, AccessLog.Subject subject, String topic, int qos,
                       String manager, String realm, String reason, CompiledPermissions.Verdict rule) {
        if (subject == null || subject.clientId() == null
                || action != AccessLog.Action.PUBLISH && action != AccessLog.Action.SUBSCRIBE) {
            return;
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put(action == AccessLog.Action.PUBLISH ? "topic" : "filter", topic);
        d.put("qos", qos);
        d.put("manager", manager);
        d.put("realm", realm);
        d.put("reason", reason);
        putRule(d, rule);
        add(subject.clientId(), action == AccessLog.Action.PUBLISH ? "publish-denied" : "subscribe-denied",
                null, d, null);
    }

    /**
     * The deciding rule as the policy simulator shows it: {@code verdict} (one line, e.g. {@code default deny: no
     * rule matched}) and {@code rule} (the rule as written with its origin, {@code null} for a default deny).
     */
    private static void putRule(Map<String, Object> details, CompiledPermissions.Verdict rule) {
        if (rule != null) {
            details.put("verdict", rule.reason());
            details.put("rule", RuleJson.decidingRule(rule));
        }
    }

    // ------------------------------------------------------------------ rings

    /** @param online the client's new state, or {@code null} when the event does not change it */
    private void add(String clientId, String type, InetSocketAddress address, Map<String, Object> details,
                     Boolean online) {
        long cost = EVENT_OVERHEAD + type.length() + estimate(details);
        Ring ring = rings.get(clientId);
        if (ring == null) {
            if (bytes.get() + RING_OVERHEAD + cost > settings.memory()) {
                dropped.increment();
                return;
            }
            ring = rings.computeIfAbsent(clientId, id -> {
                bytes.addAndGet(RING_OVERHEAD + 2L * id.length());
                return new Ring(settings.perClient());
            });
        }
        if (bytes.get() + cost > settings.memory() && !ring.replacesOldest()) {
            dropped.increment();
            return;
        }
        long freed = ring.add(new ClientEvent(clock.instant(), type, address, details), cost, online, clock.instant());
        if (rings.get(clientId) == ring) {
            bytes.addAndGet(cost - freed);
        }
    }

    private static long estimate(Map<String, Object> details) {
        long n = 0;
        for (Map.Entry<String, Object> e : details.entrySet()) {
            n += 48 + e.getKey().length();
            Object v = e.getValue();
            if (v instanceof String s) {
                n += 40 + 2L * s.length();
            } else if (v instanceof Map<?, ?> m) {
                n += estimateNested(m);
            } else {
                n += 16;
            }
        }
        return n;
    }

    /** A nested value (a rule with its origin): its strings, lists and maps, each entry costing what a map entry costs. */
    private static long estimateNested(Object v) {
        if (v instanceof String s) {
            return 40 + 2L * s.length();
        }
        long n = 48;
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                n += 48 + estimateNested(e.getValue());
            }
        } else if (v instanceof List<?> l) {
            for (Object x : l) {
                n += 8 + estimateNested(x);
            }
        }
        return n;
    }

    /** Drops the histories of clients offline for longer than the retention, and more while over 90 % of memory. */
    void cleanUp() {
        Instant cutoff = clock.instant().minus(settings.offlineRetention());
        List<Map.Entry<String, Ring>> offline = new ArrayList<>();
        for (Map.Entry<String, Ring> e : rings.entrySet()) {
            Ring ring = e.getValue();
            if (!ring.online()) {
                if (ring.lastSeen().isBefore(cutoff)) {
                    remove(e.getKey(), ring);
                } else {
                    offline.add(e);
                }
            }
        }
        long high = settings.memory() / 10 * 9;
        if (bytes.get() > high) {
            offline.sort(Comparator.comparing(e -> e.getValue().lastSeen()));
            Iterator<Map.Entry<String, Ring>> it = offline.iterator();
            while (bytes.get() > high && it.hasNext()) {
                Map.Entry<String, Ring> e = it.next();
                remove(e.getKey(), e.getValue());
            }
        }
    }

    private void remove(String clientId, Ring ring) {
        if (rings.remove(clientId, ring)) {
            bytes.addAndGet(-(RING_OVERHEAD + 2L * clientId.length() + ring.bytes()));
        }
    }

    @Override
    public void close() {
        cleanUp.cancel(false);
    }

    /** One client's events, oldest first; guarded by itself. */
    private static final class Ring {
        private final int capacity;
        private final ArrayDeque<ClientEvent> events;
        private final ArrayDeque<Long> costs;
        private long bytes;
        private boolean online;
        private Instant lastSeen = Instant.EPOCH;

        Ring(int capacity) {
            this.capacity = capacity;
            this.events = new ArrayDeque<>(Math.min(capacity, 16));
            this.costs = new ArrayDeque<>(Math.min(capacity, 16));
        }

        synchronized boolean replacesOldest() {
            return events.size() == capacity;
        }

        /** Adds the event; the bytes of the event it pushed out, if any. */
        synchronized long add(ClientEvent event, long cost, Boolean nowOnline, Instant now) {
            long freed = 0;
            if (events.size() == capacity) {
                events.pollFirst();
                freed = costs.pollFirst();
            }
            events.addLast(event);
            costs.addLast(cost);
            bytes += cost - freed;
            if (nowOnline != null) {
                online = nowOnline;
            }
            lastSeen = now;
            return freed;
        }

        synchronized List<ClientEvent> newestFirst() {
            List<ClientEvent> out = new ArrayList<>(events);
            java.util.Collections.reverse(out);
            return out;
        }

        synchronized boolean online() {
            return online;
        }

        synchronized Instant lastSeen() {
            return lastSeen;
        }

        synchronized long bytes() {
            return bytes;
        }
    }
}
