package io.rampart.server.detect;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.rampart.admin.broker.DetectionLog;
import io.rampart.server.observe.ClientObserver;
import io.rampart.server.security.AccessLog;
import io.rampart.server.security.AccessObserver;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * Evaluates the detection rules ({@code detections:}) over the decisions and client events the broker already makes,
 * and the topics identities publish to (handed over only when new to the connection, {@link RecentTopics}).
 * The observer methods run where the broker made the decision (often an event loop) and only hand a small task to
 * the detector's own thread through a bounded queue (a full queue drops the observation, counted in
 * {@link #dropped()}); all counting happens on that thread, with at most {@code max-keys} keys per rule (the least
 * recently seen go first) and bounded state per key. A rule that fires writes an {@code event=detection} line,
 * counts {@code rampart_detections_total{rule}}, keeps the detection for {@code GET /api/v1/detections} and, when
 * the rule has a {@code ban:}, sets a temporary ban; its key then starts counting afresh.
 */
public final class Detector implements DetectionLog, ClientObserver, AccessObserver, AutoCloseable {

    private static final Logger LOG = LogManager.getLogger(Detector.class);
    static final int QUEUE = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Where a detection goes besides the list: the event log, the metric, the ban list. */
    public interface Outcomes {

        /** The event log line and the metric. */
        void detected(Detection detection);

        /**
         * Sets a temporary ban.
         *
         * @param kind {@code address}, {@code username} or {@code client-id}
         * @return the ban's id, or {@code null} when no ban could be set
         */
        String ban(String kind, String value, String reason, Duration duration);
    }

    private final DetectionSettings settings;
    private final Clock clock;
    private final Outcomes outcomes;
    private final Executor worker;
    private final LongAdder dropped = new LongAdder();
    private final Map<Rule, Keys<?>> state = new EnumMap<>(Rule.class);
    /** Newest last; guarded by itself. */
    private final ArrayDeque<Detection> detections = new ArrayDeque<>();

    public Detector(DetectionSettings settings, Clock clock, Outcomes outcomes) {
        this(settings, clock, outcomes, new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(QUEUE), new DefaultThreadFactory("rampart-detections", true)));
    }

    /** @param worker runs the rules, one task at a time */
    Detector(DetectionSettings settings, Clock clock, Outcomes outcomes, Executor worker) {
        this.settings = settings;
        this.clock = clock;
        this.outcomes = outcomes;
        this.worker = worker;
        for (Rule r : Rule.values()) {
            state.put(r, new Keys<>(settings.maxKeys()));
        }
    }

    /** Observations not evaluated because the detector's queue was full. */
    public long dropped() {
        return dropped.sum();
    }

    // ------------------------------------------------------------------ observed (any thread)

    @Override
    public void decided(AccessLog.Action action, boolean allowed, String kind, AccessLog.Subject subject, String topic,
                        int qos, String manager, String realm, String reason) {
        if (allowed || subject == null) {
            return;
        }
        if (action == AccessLog.Action.CONNECT && AccessLog.Kind.BAD_CREDENTIALS.text().equals(kind)) {
            InetAddress address = address(subject.remote());
            String username = subject.username();
            submit(() -> badCredentials(address, username));
        } else if ((action == AccessLog.Action.PUBLISH || action == AccessLog.Action.SUBSCRIBE)
                && subject.clientId() != null && settings.runs(Rule.PROBING_CLIENT)) {
            String clientId = subject.clientId();
            String what = (action == AccessLog.Action.PUBLISH ? "publish to '" : "subscribe to '") + topic + "'";
            InetAddress address = address(subject.remote());
            submit(() -> count(Rule.PROBING_CLIENT, clientId, address, "client '" + esc(clientId)
                    + "' denied %d times in %s (last: " + esc(what) + ")"));
        }
    }

    @Override
    public void tlsRefused(String listener, SocketAddress remote, String kind, String certificateSubject,
                           String serial, String reason) {
        if (("revoked".equals(kind) || "expired".equals(kind)) && settings.runs(Rule.REJECTED_CERTIFICATES)) {
            InetAddress address = address(remote);
            if (address != null) {
                submit(() -> count(Rule.REJECTED_CERTIFICATES, network(Rule.REJECTED_CERTIFICATES, address), address,
                        "%d revoked or expired client certificates presented in %s (last: " + kind + ")"));
            }
        }
    }

    @Override
    public void connected(String listener, InetSocketAddress address, String clientId, String username,
                          int protocolVersion, boolean cleanStart, boolean sessionPresent, int keepAlive,
                          String tlsProtocol, String tlsCipher, String tlsSubject) {
        InetAddress a = address == null ? null : address.getAddress();
        submit(() -> admitted(clientId, username, a));
    }

    /** Whether connections should hand over the topics they publish to ({@code many-new-topics} runs). */
    public boolean watchesTopics() {
        return settings.runs(Rule.MANY_NEW_TOPICS);
    }

    /**
     * The user {@code username} published to {@code topic}, which its connection had not published to lately
     * ({@link RecentTopics}). Any thread; hands over a small task.
     */
    public void publishedTo(String username, String topic, SocketAddress remote) {
        InetAddress address = address(remote);
        submit(() -> newTopic(username, topic, address));
    }

    // ------------------------------------------------------------------ rules (detector thread)

    private void submit(Runnable task) {
        if (!settings.enabled()) {
            return;
        }
        try {
            worker.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warn("detection rule evaluation failed: {}", e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            dropped.increment();
        }
    }

    private void badCredentials(InetAddress address, String username) {
        if (address != null && settings.runs(Rule.AUTH_FAILURES_PER_ADDRESS)) {
            count(Rule.AUTH_FAILURES_PER_ADDRESS, network(Rule.AUTH_FAILURES_PER_ADDRESS, address), address,
                    "%d bad-credential CONNECTs in %s");
        }
        if (username != null && address != null && settings.runs(Rule.AUTH_FAILURES_PER_USER)) {
            distinct(Rule.AUTH_FAILURES_PER_USER, username, address,
                    "bad-credential CONNECTs for user '" + esc(username) + "' from %d different addresses in %s");
        }
    }

    private void admitted(String clientId, String username, InetAddress address) {
        if (settings.runs(Rule.CONNECTION_FLAPPING)) {
            count(Rule.CONNECTION_FLAPPING, clientId, address, "client '" + esc(clientId)
                    + "' admitted %d times in %s (connects, reconnects and takeovers)");
        }
        if (username == null || address == null) {
            return;
        }
        if (settings.runs(Rule.MANY_ADDRESSES)) {
            distinct(Rule.MANY_ADDRESSES, username, address,
                    "user '" + esc(username) + "' admitted from %d different addresses in %s");
        }
        if (settings.runs(Rule.NEW_NETWORK)) {
            newNetwork(username, address);
        }
    }

    /** Counts one event for {@code key}; fires when {@code threshold} of them fall within the window. */
    private void count(Rule rule, String key, InetAddress address, String summary) {
        RuleSettings rs = settings.rule(rule);
        long now = clock.millis();
        @SuppressWarnings("unchecked")
        Keys<Times> keys = (Keys<Times>) state.get(rule);
        Times times = keys.computeIfAbsent(key, k -> new Times(rs.threshold()));
        times.add(now, address);
        if (times.reached(now - rs.window().toMillis())) {
            keys.remove(key);
            fire(rule, key, rs.threshold(), String.format(summary, rs.threshold(), human(rs.window())),
                    times.addresses());
        }
    }

    /** Remembers {@code address} for {@code key}; fires when {@code threshold} different ones are within the window. */
    private void distinct(Rule rule, String key, InetAddress address, String summary) {
        RuleSettings rs = settings.rule(rule);
        long now = clock.millis();
        @SuppressWarnings("unchecked")
        Keys<Seen> keys = (Keys<Seen>) state.get(rule);
        Seen seen = keys.computeIfAbsent(key, k -> new Seen(rs.threshold()));
        int n = seen.add(address, now, now - rs.window().toMillis());
        if (n >= rs.threshold()) {
            keys.remove(key);
            fire(rule, key, n, String.format(summary, n, human(rs.window())), seen.addresses());
        }
    }

    /** Fires when an identity that was admitted before is admitted from a network it was never admitted from. */
    private void newNetwork(String username, InetAddress address) {
        RuleSettings rs = settings.rule(Rule.NEW_NETWORK);
        String network = network(Rule.NEW_NETWORK, address);
        @SuppressWarnings("unchecked")
        Keys<Networks> keys = (Keys<Networks>) state.get(Rule.NEW_NETWORK);
        Networks known = keys.computeIfAbsent(username, k -> new Networks(rs.remembered()));
        if (known.learn(network)) {
            fire(Rule.NEW_NETWORK, username, 1, "user '" + username + "' admitted from a network it was not seen on"
                    + " before", List.of(address.getHostAddress()));
        }
    }

    /** Fires when an identity published to {@code threshold} topics it had not used before within the window. */
    private void newTopic(String username, String topic, InetAddress address) {
        RuleSettings rs = settings.rule(Rule.MANY_NEW_TOPICS);
        @SuppressWarnings("unchecked")
        Keys<TopicHistory> keys = (Keys<TopicHistory>) state.get(Rule.MANY_NEW_TOPICS);
        TopicHistory history = keys.computeIfAbsent(username, k -> new TopicHistory(rs.remembered(), rs.threshold()));
        if (!history.learn(topic)) {
            return;
        }
        long now = clock.millis();
        history.times.add(now, null);
        if (address != null) {
            history.lastAddress = address;
        }
        if (history.times.reached(now - rs.window().toMillis())) {
            // The topics stay known: the same fan-out does not fire again, a further one does.
            List<String> addresses = history.lastAddress == null ? List.of()
                    : List.of(history.lastAddress.getHostAddress());
            history.times = new Times(rs.threshold());
            fire(Rule.MANY_NEW_TOPICS, username, rs.threshold(), "user '" + username + "' published to "
                    + rs.threshold() + " topics it had not used before in " + human(rs.window()) + " (last: '" + topic
                    + "')", addresses);
        }
    }

    private void fire(Rule rule, String key, long count, String summary, List<String> addresses) {
        RuleSettings rs = settings.rule(rule);
        Instant now = clock.instant();
        String banId = null;
        Instant banExpires = null;
        if (rs.ban() != null) {
            banId = outcomes.ban(rule.key().banKind(), key, "detection " + rule.id() + ": " + summary, rs.ban());
            banExpires = banId == null ? null : now.plus(rs.ban());
        }
        Detection d = new Detection(newId(), now, rule.id(), rule.key().banKind(), key, count, rs.window(), summary,
                List.copyOf(addresses), banId, banExpires, null, null, null);
        synchronized (detections) {
            detections.addLast(d);
            while (detections.size() > settings.history()) {
                detections.pollFirst();
            }
        }
        outcomes.detected(d);
    }

    // ------------------------------------------------------------------ DetectionLog

    @Override
    public List<Detection> list(String rule, Instant since) {
        List<Detection> out = new ArrayList<>();
        synchronized (detections) {
            var it = detections.descendingIterator();
            while (it.hasNext()) {
                Detection d = it.next();
                if ((rule == null || d.rule().equals(rule)) && (since == null || !d.time().isBefore(since))) {
                    out.add(d);
                }
            }
        }
        return out;
    }

    @Override
    public Detection acknowledge(String id, String by, String note) {
        synchronized (detections) {
            List<Detection> all = new ArrayList<>(detections);
            for (int i = 0; i < all.size(); i++) {
                Detection d = all.get(i);
                if (d.id().equals(id)) {
                    Detection done = new Detection(d.id(), d.time(), d.rule(), d.keyKind(), d.key(), d.count(),
                            d.window(), d.summary(), d.addresses(), d.banId(), d.banExpires(), by, clock.instant(),
                            note);
                    all.set(i, done);
                    detections.clear();
                    detections.addAll(all);
                    return done;
                }
            }
        }
        return null;
    }

    @Override
    public void close() {
        if (worker instanceof ExecutorService service) {
            service.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ helpers

    private static InetAddress address(SocketAddress remote) {
        return remote instanceof InetSocketAddress a ? a.getAddress() : null;
    }

    /** The network {@code address} counts in for {@code rule}, as CIDR ({@code 10.1.2.0/24}; {@code /32} as is). */
    String network(Rule rule, InetAddress address) {
        RuleSettings rs = settings.rule(rule);
        byte[] bytes = address.getAddress();
        int prefix = bytes.length == 4 ? rs.ipv4Prefix() : rs.ipv6Prefix();
        if (prefix == bytes.length * 8) {
            return address.getHostAddress();
        }
        for (int i = 0; i < bytes.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            bytes[i] &= (byte) (0xff << (8 - keep));
        }
        try {
            return InetAddress.getByAddress(bytes).getHostAddress() + "/" + prefix;
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code text} inside a format string. */
    private static String esc(String text) {
        return text.replace("%", "%%");
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        return s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
    }

    private static String newId() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** A rule's keys, the least recently seen first out beyond {@code max}. Detector thread only. */
    private static final class Keys<V> extends LinkedHashMap<String, V> {
        private final int max;

        Keys(int max) {
            super(16, 0.75f, true);
            this.max = max;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
            return size() > max;
        }
    }

    /**
     * The times of the last {@code threshold} events of one key, and the addresses they came from. Most keys (a client
     * id that connected once) never see a second event: the arrays start small and grow to the threshold.
     */
    private static final class Times {
        private final int threshold;
        private long[] times;
        private String[] addresses;
        private int next;
        private int size;

        Times(int threshold) {
            this.threshold = threshold;
            times = new long[Math.min(threshold, 2)];
            addresses = new String[times.length];
        }

        void add(long time, InetAddress address) {
            if (size == times.length && size < threshold) {
                // Not yet wrapped: the oldest event is at 0 and the next slot is the first new one.
                times = Arrays.copyOf(times, Math.min(threshold, size * 2));
                addresses = Arrays.copyOf(addresses, times.length);
                next = size;
            }
            times[next] = time;
            addresses[next] = address == null ? null : address.getHostAddress();
            next = (next + 1) % times.length;
            size = Math.min(size + 1, times.length);
        }

        /** Whether all {@code threshold} slots hold events no older than {@code since}. */
        boolean reached(long since) {
            return size == threshold && times[next % times.length] >= since;
        }

        List<String> addresses() {
            return Stream.of(addresses).filter(Objects::nonNull).distinct().sorted().toList();
        }
    }

    /** The different addresses one key was seen from, each with when it was last seen; at most {@code threshold}. */
    private static final class Seen {
        private final int threshold;
        private final LinkedHashMap<String, Long> last = new LinkedHashMap<>(16, 0.75f, true);

        Seen(int threshold) {
            this.threshold = threshold;
        }

        /** Adds the address and forgets those older than {@code since}; how many different ones remain. */
        int add(InetAddress address, long now, long since) {
            last.put(address.getHostAddress(), now);
            last.values().removeIf(t -> t < since);
            while (last.size() > threshold) {
                last.remove(last.keySet().iterator().next());
            }
            return last.size();
        }

        List<String> addresses() {
            return last.keySet().stream().sorted().toList();
        }
    }

    /**
     * The topics an identity published to, as 64-bit hashes, at most {@code remembered} (the oldest go first), and
     * the times it published to a topic not among them (and the address it last did so from).
     */
    private static final class TopicHistory {
        private final long[] known;
        private int next;
        private int size;
        Times times;
        InetAddress lastAddress;

        TopicHistory(int remembered, int threshold) {
            known = new long[remembered];
            times = new Times(threshold);
        }

        /** Remembers the topic; {@code true} when it was not known. */
        boolean learn(String topic) {
            long h = hash(topic);
            for (int i = 0; i < size; i++) {
                if (known[i] == h) {
                    return false;
                }
            }
            known[next] = h;
            next = (next + 1) % known.length;
            size = Math.min(size + 1, known.length);
            return true;
        }

        /** FNV-1a over the topic's characters. */
        private static long hash(String topic) {
            long h = 0xcbf29ce484222325L;
            for (int i = 0; i < topic.length(); i++) {
                h ^= topic.charAt(i);
                h *= 0x100000001b3L;
            }
            return h;
        }
    }

    /** The networks an identity was admitted from, at most {@code remembered} (the least recent go first). */
    private static final class Networks {
        private final int remembered;
        private final LinkedHashMap<String, Boolean> known = new LinkedHashMap<>(4, 0.75f, true);

        Networks(int remembered) {
            this.remembered = remembered;
        }

        /** Remembers the network; {@code true} when it is new and the identity had been seen before. */
        boolean learn(String network) {
            boolean firstEver = known.isEmpty();
            boolean isNew = known.put(network, Boolean.TRUE) == null;
            while (known.size() > remembered) {
                known.remove(known.keySet().iterator().next());
            }
            return isNew && !firstEver;
        }
    }
}
