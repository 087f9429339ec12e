package io.rampart.server.events;

import io.rampart.core.message.Message;
import io.rampart.core.session.DropReason;
import io.rampart.core.session.SessionListener;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.net.SocketAddress;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Operator-facing events of the broker (the {@code rampart.events} logger) and their counters. Dropped
 * messages are always counted; the log line for drops is rate-limited per client so an overloaded
 * subscriber cannot flood the log, but each line carries the number dropped since the previous one.
 */
public final class BrokerEvents implements SessionListener {

    private static final Logger LOG = LogManager.getLogger("rampart.events");
    private static final long DROP_LOG_INTERVAL_NANOS = 10_000_000_000L;
    /** Clients tracked for drop-line rate limiting; past this the table starts over (at worst a few extra lines). */
    private static final int MAX_DROP_LOG_CLIENTS = 10_000;

    private final Map<DropReason, LongAdder> drops = new EnumMap<>(DropReason.class);
    private final ConcurrentHashMap<String, DropLogState> dropLog = new ConcurrentHashMap<>();

    public BrokerEvents() {
        for (DropReason r : DropReason.values()) {
            drops.put(r, new LongAdder());
        }
    }

    public long dropped(DropReason reason) {
        return drops.get(reason).sum();
    }

    @Override
    public void messageDropped(String clientId, Message message, int qos, DropReason reason) {
        drops.get(reason).increment();
        if (dropLog.size() >= MAX_DROP_LOG_CLIENTS && !dropLog.containsKey(clientId)) {
            dropLog.clear();
        }
        DropLogState state = dropLog.computeIfAbsent(clientId, k -> new DropLogState());
        long suppressed = state.shouldLog(System.nanoTime());
        if (suppressed >= 0) {
            LOG.warn("message dropped: client={} topic={} qos={} reason=\"{}\" dropped-since-last-report={}",
                    clientId, message.topic(), qos, reason.text(), suppressed + 1);
        }
    }

    @Override
    public void sessionExpired(String clientId) {
        dropLog.remove(clientId);
        LOG.info("session expired: client={}", clientId);
    }

    @Override
    public void willPublished(String clientId, Message will) {
        LOG.info("will published: client={} topic={} qos={} retain={}", clientId, will.topic(), will.qos(), will.retain());
    }

    public void clientConnected(String listener, SocketAddress remote, String clientId, int protocolVersion,
                                boolean cleanStart, long sessionExpiry, int keepAlive, boolean sessionPresent) {
        LOG.info("client connected: client={} address={} listener={} protocol={} clean-start={} session-expiry={} keep-alive={} session-present={}",
                clientId, remote, listener, protocolName(protocolVersion), cleanStart, sessionExpiry, keepAlive, sessionPresent);
    }

    public void clientDisconnected(String listener, SocketAddress remote, String clientId, String how, String reason) {
        LOG.info("client disconnected: client={} address={} listener={} how={} reason=\"{}\"",
                clientId, remote, listener, how, reason);
    }

    public void connectionRefused(String listener, SocketAddress remote, String clientId, int code, String reason) {
        LOG.info("connection refused: client={} address={} listener={} code=0x{} reason=\"{}\"",
                clientId == null ? "unknown" : clientId, remote, listener, Integer.toHexString(code), reason);
    }

    public void subscribed(String clientId, String filter, int qos) {
        LOG.debug("subscription added: client={} filter={} qos={}", clientId, filter, qos);
    }

    public void unsubscribed(String clientId, String filter) {
        LOG.debug("subscription removed: client={} filter={}", clientId, filter);
    }

    static String protocolName(int version) {
        return switch (version) {
            case 3 -> "MQTT 3.1";
            case 4 -> "MQTT 3.1.1";
            case 5 -> "MQTT 5.0";
            default -> "unknown";
        };
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
