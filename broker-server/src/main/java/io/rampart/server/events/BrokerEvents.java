package io.rampart.server.events;

import io.rampart.core.QueueLimits;
import io.rampart.core.memory.MemoryBudget;
import io.rampart.admin.live.LiveFeed;
import io.rampart.core.message.Message;
import io.rampart.security.permission.CompiledPermissions;
import io.rampart.core.session.DropReason;
import io.rampart.core.session.SessionListener;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.rampart.tls.ClientCertificates;
import io.rampart.server.metrics.AcceptRefusal;
import io.rampart.server.metrics.AuthzAction;
import io.rampart.server.metrics.BrokerMetrics;
import io.rampart.server.metrics.CloseReason;
import io.rampart.server.observe.ClientObserver;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Operator-facing events of the broker on the {@code rampart.events} logger (its own file, {@code events.log},
 * in the shipped Log4j2 configuration) and the counters behind them. Each line is complete in itself,
 * timestamp included, as {@code key=value} pairs or, with {@code event-log.format: json}, one JSON object:
 *
 * <pre>
 * 2026-11-26T10:15:30.123Z event=client-connected client="dev-1" address=10.0.0.7:53211 listener=tcp protocol=5 ...
 * </pre>
 *
 * Every event of one kind carries the same keys; unknown values are written as {@code unknown} or
 * {@code none}. Dropped messages are always counted; their log line is rate-limited per client so an
 * overloaded subscriber cannot flood the log, but each line carries the number dropped since the previous one.
 * Passwords and payloads are never written.
 */
public final class BrokerEvents implements SessionListener {

    public static final String LOGGER = "rampart.events";
    private static final Logger LOG = LogManager.getLogger(LOGGER);
    private static final long DROP_LOG_INTERVAL_NANOS = 10_000_000_000L;
    /** Clients tracked for drop-line rate limiting; past this the table starts over (at worst a few extra lines). */
    private static final int MAX_DROP_LOG_CLIENTS = 10_000;

    private final BrokerMetrics metrics;
    private final boolean json;
    private final ConcurrentHashMap<String, DropLogState> dropLog = new ConcurrentHashMap<>();
    private volatile ClientObserver[] observers = new ClientObserver[0];
    private volatile LiveFeed feed = LiveFeed.NONE;

    /**
     * @param json JSON lines instead of key=value
     */
    public BrokerEvents(BrokerMetrics metrics, boolean json) {
        this.metrics = metrics;
        this.json = json;
    }

    /** Also tells {@code observer} what happens to clients; with none, each event pays one volatile read. */
    public synchronized void addObserver(ClientObserver observer) {
        ClientObserver[] more = java.util.Arrays.copyOf(observers, observers.length + 1);
        more[more.length - 1] = observer;
        observers = more;
    }

    /** Also report clients that connect and leave to the Control Center's live views. */
    public void feed(LiveFeed liveFeed) {
        this.feed = liveFeed;
    }

    private void clientChanged(String clientId, boolean connected) {
        LiveFeed f = feed;
        if (f.wantsClientChanges()) {
            f.clientChanged(clientId, connected);
        }
    }

    public BrokerMetrics metrics() {
        return metrics;
    }

    public long dropped(DropReason reason) {
        return metrics.droppedCount(reason);
    }

    private EventLine line(String event) {
        return EventLine.of(json, event);
    }

    @Override
    public void messageDropped(String clientId, Message message, int qos, DropReason reason) {
        metrics.dropped(reason);
        if (!LOG.isWarnEnabled()) {
            return;
        }
        if (dropLog.size() >= MAX_DROP_LOG_CLIENTS && !dropLog.containsKey(clientId)) {
            dropLog.clear();
        }
        DropLogState state = dropLog.computeIfAbsent(clientId, k -> new DropLogState());
        long suppressed = state.shouldLog(System.nanoTime());
        if (suppressed >= 0) {
            LOG.warn(line("message-dropped").text("receiver", clientId).text("topic", message.topic())
                    .number("qos", qos).word("reason", BrokerMetrics.tag(reason))
                    .text("reason-text", reason.text()).number("dropped-since-last-report", suppressed + 1).toString());
        }
    }

    @Override
    public void slowConsumer(String clientId, QueueLimits limits, int messages, long bytes) {
        String action = BrokerMetrics.tag(limits.overflow());
        metrics.slowConsumer(clientId, action);
        if (LOG.isWarnEnabled()) {
            LOG.warn(line("slow-consumer").text("client", clientId).word("action", action)
                    .number("queued-messages", messages).number("queued-bytes", bytes)
                    .number("max-queued-messages", limits.maxMessages())
                    .word("max-queued-bytes", limits.maxBytes() == 0 ? "none" : Long.toString(limits.maxBytes()))
                    .text("reason", "the client's queue is full: it does not read as fast as messages arrive")
                    .toString());
        }
    }

    @Override
    public void sessionEnded(String clientId) {
        dropLog.remove(clientId);
        metrics.sessionEnded(clientId);
    }

    /**
     * The memory budget changed its level (see {@link MemoryBudget}): an operator should know when the broker starts
     * holding publishers back or dropping QoS 0 messages, and when it stops. {@code changes} counts the level changes
     * since the previous line ({@link MemoryLevelLog} writes at most one line per interval).
     */
    void memoryLevel(int level, long used, long limit, int changes) {
        if (LOG.isWarnEnabled()) {
            String what = switch (level) {
                case MemoryBudget.SHED_QOS0 -> "shed-qos0";
                case MemoryBudget.BACK_PRESSURE -> "back-pressure";
                default -> "normal";
            };
            LOG.warn(line("memory-budget").word("level", what).number("used-bytes", used).number("budget-bytes", limit)
                    .number("used-percent", limit == 0 ? 0 : used * 100 / limit)
                    .number("changes-since-last-report", changes).toString());
        }
    }

    /**
     * A publisher's socket stopped ({@code true}) or resumed ({@code false}) being read for the memory budget: it fed
     * one of the fullest queues while the budget was short. {@code first}: the first time on this connection, which
     * alone writes an event line.
     */
    public void memoryHold(String listener, String clientId, boolean held, boolean first) {
        metrics.memoryHold(held);
        if (held && first && LOG.isInfoEnabled()) {
            LOG.info(line("publisher-held").word("listener", listener).text("client", clientId)
                    .text("reason", "memory budget short and the client feeds one of the fullest queues").toString());
        }
    }

    /** A QoS 1/2 PUBLISH of an MQTT 5 client refused with 0x97: the memory budget could not take it. */
    public void publishRefused() {
        metrics.dropped(DropReason.BUDGET_FULL);
    }

    @Override
    public void sessionExpired(String clientId) {
        dropLog.remove(clientId);
        for (ClientObserver o : observers) {
            o.sessionExpired(clientId);
        }
        clientChanged(clientId, false);
        if (LOG.isInfoEnabled()) {
            LOG.info(line("session-expired").text("client", clientId).toString());
        }
    }

    @Override
    public void willPublished(String clientId, Message will) {
        for (ClientObserver o : observers) {
            o.willPublished(clientId, will.topic(), will.qos(), will.retain());
        }
        if (LOG.isInfoEnabled()) {
            LOG.info(line("will-published").text("client", clientId).text("topic", will.topic())
                    .number("qos", will.qos()).bool("retain", will.retain()).toString());
        }
    }

    /** A node joined the cluster. */
    public void clusterNodeJoined(String node) {
        if (LOG.isInfoEnabled()) {
            LOG.info(line("cluster-node-joined").word("node", node).toString());
        }
    }

    /** A node left the cluster: on purpose, or it stopped answering (then its sessions are adopted by the others). */
    public void clusterNodeLeft(String node, boolean gracefully) {
        if (gracefully ? LOG.isInfoEnabled() : LOG.isWarnEnabled()) {
            String l = line("cluster-node-left").word("node", node).word("how", gracefully ? "graceful" : "lost")
                    .toString();
            if (gracefully) {
                LOG.info(l);
            } else {
                LOG.warn(l);
            }
        }
    }

    /** A node stopped answering heartbeats; the cluster verifies it before it removes it. */
    public void clusterNodeSuspected(String node) {
        if (LOG.isWarnEnabled()) {
            LOG.warn(line("cluster-node-suspected").word("node", node).toString());
        }
    }

    /** This node entered or left the minority side of a partition. */
    public void clusterMinority(boolean entered, int members, int expected) {
        String l = line("cluster-minority").word("state", entered ? "entered" : "left").number("members", members)
                .number("expected", expected).toString();
        if (entered) {
            LOG.error(l);
        } else {
            LOG.info(l);
        }
    }

    /** A partition healed: the sides merged. */
    public void clusterMerged(int members) {
        if (LOG.isInfoEnabled()) {
            LOG.info(line("cluster-merged").number("members", members).toString());
        }
    }

    /** A network connection was accepted on an MQTT listener. */
    public void connectionOpened() {
        metrics.connectionOpened();
    }

    /**
     * Connections were closed as soon as they were accepted, beyond the listener's limit {@code limitKey} of
     * {@code limit}. {@code refused} is how many since the previous line for this reason (the caller writes at most
     * one line per reason and interval); {@code source} is the source address block of the latest one, or
     * {@code null} for limits of the whole listener.
     */
    public void connectionsRefused(String listener, AcceptRefusal reason, String limitKey, String limit, long refused,
                                   String source) {
        if (LOG.isWarnEnabled()) {
            LOG.warn(line("connections-refused").word("listener", listener).word("limit", limitKey)
                    .word("value", limit).number("refused", refused).word("source", source == null ? "none" : source)
                    .text("reason", reason.description()).toString());
        }
    }

    /** One connection closed on accept because it was beyond a limit of its listener (counted only). */
    public void connectionRefusedOnAccept(AcceptRefusal reason) {
        metrics.connectionRefusedOnAccept(reason);
    }

    /**
     * A client went over its rates for the first time on this connection: {@code direction} {@code publish} (its
     * socket is not read until they allow more) or {@code deliver} (its messages wait in its queue).
     */
    public void clientThrottled(String listener, String clientId, String direction, Map<String, String> limits) {
        if (LOG.isInfoEnabled()) {
            StringBuilder text = new StringBuilder();
            limits.forEach((k, v) -> text.append(text.length() == 0 ? "" : " ").append(k).append('=').append(v));
            LOG.info(line("client-throttled").word("listener", listener).text("client", clientId)
                    .word("direction", direction).text("limits", text.toString()).toString());
        }
    }

    /** The client's reading was paused for its publish rates ({@code true}) or resumed ({@code false}). */
    public void publishHeld(boolean held) {
        metrics.publishHeld(held);
    }

    /** Delivery to a client waits for its delivery rates. */
    public void deliveryHeld() {
        metrics.deliveryHeld();
    }

    /** A network connection on an MQTT listener ended, whatever its state. */
    public void connectionClosed(CloseReason reason) {
        metrics.connectionClosed(reason);
    }

    public void clientConnected(String listener, Channel channel, String clientId, String username,
                                int protocolVersion, boolean cleanStart, long sessionExpiry, int keepAlive,
                                boolean sessionPresent) {
        metrics.connectAttempt(BrokerMetrics.ACCEPTED);
        ClientObserver[] watching = observers;
        if (watching.length > 0) {
            Map<String, String> vars = channel.attr(ClientCertificates.VARIABLES).get();
            InetSocketAddress address = channel.remoteAddress() instanceof InetSocketAddress a ? a : null;
            for (ClientObserver o : watching) {
                o.connected(listener, address, clientId, username, protocolVersion, cleanStart, sessionPresent,
                        keepAlive, vars == null ? null : vars.get(ClientCertificates.PROTOCOL),
                        vars == null ? null : vars.get(ClientCertificates.CIPHER),
                        vars == null ? null : vars.get(ClientCertificates.SUBJECT_DN));
            }
        }
        clientChanged(clientId, true);
        if (!LOG.isInfoEnabled()) {
            return;
        }
        EventLine l = line("client-connected").text("client", clientId).word("address", address(channel.remoteAddress()))
                .word("listener", listener).word("protocol", protocolName(protocolVersion))
                .number("protocol-version", protocolVersion).text("user", username, "none")
                .bool("clean-start", cleanStart).number("session-expiry", sessionExpiry).number("keep-alive", keepAlive)
                .bool("session-present", sessionPresent);
        tls(l, channel);
        LOG.info(l.toString());
    }

    /**
     * @param code   the MQTT 5 reason code sent or received with DISCONNECT, or -1 when there was none
     */
    public void clientDisconnected(String listener, Channel channel, String clientId, CloseReason how, int code,
                                   String reason) {
        for (ClientObserver o : observers) {
            o.disconnected(listener, channel.remoteAddress() instanceof InetSocketAddress a ? a : null, clientId,
                    how.tag(), code, reason);
        }
        clientChanged(clientId, false);
        if (!LOG.isInfoEnabled()) {
            return;
        }
        LOG.info(line("client-disconnected").text("client", clientId).word("address", address(channel.remoteAddress()))
                .word("listener", listener).bool("graceful", how == CloseReason.CLIENT_DISCONNECT)
                .word("close", how.tag()).word("reason-code", code < 0 ? "none" : hex(code))
                .text("reason", reason, "none").toString());
    }

    /**
     * A CONNECT was refused.
     *
     * @param decided whether the security pipeline refused it (else the packet itself was not acceptable)
     */
    public void connectionRefused(String listener, SocketAddress remote, String clientId, int code, String reason,
                                  boolean decided) {
        connectionRefused(listener, remote, clientId, code, reason, decided, null);
    }

    /** A CONNECT was refused; {@code rule} is the client-id rule that refused it, or {@code null}. */
    public void connectionRefused(String listener, SocketAddress remote, String clientId, int code, String reason,
                                  boolean decided, CompiledPermissions.Verdict rule) {
        metrics.connectAttempt(decided ? refusal(code) : BrokerMetrics.INVALID);
        for (ClientObserver o : observers) {
            InetSocketAddress address = remote instanceof InetSocketAddress a ? a : null;
            if (rule == null) {
                o.refused(listener, address, clientId, code, reason);
            } else {
                o.refusedByRule(listener, address, clientId, code, reason, rule);
            }
        }
        if (!LOG.isInfoEnabled()) {
            return;
        }
        LOG.info(line("connection-refused").text("client", clientId).word("address", address(remote))
                .word("listener", listener).word("reason-code", hex(code)).text("reason", reason, "none").toString());
    }

    /** The result tag of a security refusal, from the CONNACK code it was answered with. */
    private static String refusal(int code) {
        return switch (code) {
            case 0x86, 0x04 -> "bad-credentials";
            case 0x87, 0x05 -> "not-authorized";
            case 0x88, 0x03 -> "unavailable";
            case 0x85, 0x02 -> "client-id-refused";
            default -> BrokerMetrics.INVALID;
        };
    }

    public void subscriptionRefused(String clientId, String filter, String reason) {
        if (LOG.isInfoEnabled()) {
            LOG.info(line("subscription-refused").text("client", clientId).text("filter", filter).text("reason", reason)
                    .toString());
        }
    }

    public void subscribed(String clientId, String filter, int qos) {
        for (ClientObserver o : observers) {
            o.subscribed(clientId, filter, qos);
        }
        if (LOG.isInfoEnabled()) {
            LOG.info(line("subscription-added").text("client", clientId).text("filter", filter).number("qos", qos)
                    .toString());
        }
    }

    public void unsubscribed(String clientId, String filter) {
        for (ClientObserver o : observers) {
            o.unsubscribed(clientId, filter);
        }
        if (LOG.isInfoEnabled()) {
            LOG.info(line("subscription-removed").text("client", clientId).text("filter", filter).toString());
        }
    }

    /** A PUBLISH that matched no subscriber (counted, not logged: it is normal for many applications). */
    public void noSubscribers() {
        metrics.noSubscribers();
    }

    /** The client's permissions refused an action (the access log has the details). */
    public void authzDenied(AuthzAction action) {
        metrics.authzDenied(action);
    }

    /**
     * A detection rule fired ({@code event=detection}, WARN): the rule, what it counted per ({@code key-kind} and
     * {@code key}), the count within the window, the temporary ban it set (or {@code none}) and a summary.
     */
    public void detection(String rule, String keyKind, String key, long count, long windowSeconds, String banId,
                          String summary) {
        LOG.warn(line("detection").word("rule", rule).word("key-kind", keyKind).text("key", key)
                .number("count", count).number("window-seconds", windowSeconds)
                .word("ban", banId == null ? "none" : banId)
                .text("summary", summary).toString());
    }

    /** The authentication chain decided a CONNECT. */
    public void authDecision(String manager, String realm, boolean accepted, String refusalKind, long nanos) {
        metrics.authDecision(manager, realm, accepted ? "allowed" : refusalKind, nanos);
    }

    static String protocolName(int version) {
        return switch (version) {
            case 3 -> "MQTT-3.1";
            case 4 -> "MQTT-3.1.1";
            case 5 -> "MQTT-5.0";
            default -> "unknown";
        };
    }

    private static final char[] HEX_DIGITS = "0123456789abcdef".toCharArray();

    /** {@code 0x} and at least two lower-case hex digits, as {@code String.format("0x%02x", code)}. */
    static String hex(int code) {
        if (code < 0 || code > 0xff) {
            return "0x" + Integer.toHexString(code);
        }
        return new String(new char[] {'0', 'x', HEX_DIGITS[code >>> 4], HEX_DIGITS[code & 0xf]});
    }

    static String address(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet) {
            String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            return host + ":" + inet.getPort();
        }
        return remote == null ? "unknown" : remote.toString();
    }

    /** TLS protocol, cipher suite and client certificate subject, or {@code none} on plain listeners. */
    private static void tls(EventLine l, Channel channel) {
        // The handshake handler put what the session says on the channel; reading it there spares asking the
        // engine again (which, on listeners without client certificates, throws for every connection).
        Map<String, String> vars = channel.attr(ClientCertificates.VARIABLES).get();
        if (vars != null) {
            l.word("tls-protocol", vars.get(ClientCertificates.PROTOCOL))
                    .word("tls-cipher", vars.get(ClientCertificates.CIPHER))
                    .text("tls-subject", vars.get(ClientCertificates.SUBJECT_DN), "none");
            return;
        }
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null) {
            l.word("tls-protocol", "none").word("tls-cipher", "none").text("tls-subject", null, "none");
            return;
        }
        SSLSession session = ssl.engine().getSession();
        String subject = null;
        try {
            Certificate[] peer = session.getPeerCertificates();
            if (peer.length > 0 && peer[0] instanceof X509Certificate x509) {
                subject = x509.getSubjectX500Principal().getName();
            }
        } catch (SSLPeerUnverifiedException e) {
            subject = null;
        }
        l.word("tls-protocol", session.getProtocol()).word("tls-cipher", session.getCipherSuite())
                .text("tls-subject", subject, "none");
    }

    private static final class DropLogState {
        private long lastLogged = System.nanoTime() - DROP_LOG_INTERVAL_NANOS;
        private long suppressed;

        /** Returns the number suppressed since the last line if a line is due, else -1. */
        synchronized long shouldLog(long now) {
            if (now - lastLogged >= DROP_LOG_INTERVAL_NANOS) {
                long s = suppressed;
                suppressed = 0;
                lastLogged = now;
                return s;
            }
            suppressed++;
            return -1;
        }
    }
}
