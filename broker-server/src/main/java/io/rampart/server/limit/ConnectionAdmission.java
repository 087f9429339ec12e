package io.rampart.server.limit;

import io.netty.channel.Channel;
import io.rampart.core.limit.TokenBucket;
import io.rampart.security.limits.IdentityLimits;
import io.rampart.server.config.AddressLimits;
import io.rampart.server.events.BrokerEvents;
import io.rampart.server.metrics.AcceptRefusal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Which new connections one listener takes: at most {@code max-connections} open at once, at most
 * {@code connection-rate} new ones per second (with a burst), and per source address (its first
 * {@code ipv4-prefix-length} / {@code ipv6-prefix-length} bits) at most {@code per-address.max-connections} open
 * and {@code per-address.connection-rate} new ones per second. A connection beyond any of them is closed as soon as
 * it is accepted, before TLS or MQTT: counted per reason ({@code rampart.connections.refused}) and reported in at
 * most one event line per reason and interval.
 *
 * <p>Called by the accepting event loops at once: thread-safe. The listener-wide rate is a token bucket under a
 * lock taken once per accept; per-address state lives in a map of the sources that have connections open or
 * spent part of their rate, swept of idle sources as connections close and every few seconds. The map holds at most
 * {@value #MAX_SOURCES} sources: beyond that a new source is refused (counted as over its rate) until idle ones
 * are swept, so a flood from many addresses cannot grow it without bound.
 */
public final class ConnectionAdmission {

    /** Most source address blocks tracked at once. */
    static final int MAX_SOURCES = 100_000;
    private static final long LINE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long SWEEP_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final String listener;
    private final BrokerEvents events;
    private final int maxConnections;
    private final IdentityLimits.Rate rate;
    private final AddressLimits perAddress;
    private final TokenBucket bucket;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<Source, SourceState> sources = new ConcurrentHashMap<>();
    private final AtomicLong nextSweep = new AtomicLong(System.nanoTime());
    private final LongAdder[] sinceLine = new LongAdder[AcceptRefusal.values().length];
    private final AtomicLong[] nextLine = new AtomicLong[AcceptRefusal.values().length];

    /**
     * @param maxConnections 0 = no limit
     * @param rate           new connections per second on the listener, {@code null} = no limit
     * @param perAddress     per-source limits, {@code null} = none
     */
    public ConnectionAdmission(String listener, int maxConnections, IdentityLimits.Rate rate, AddressLimits perAddress,
                               BrokerEvents events) {
        this.listener = listener;
        this.events = events;
        this.maxConnections = maxConnections;
        this.rate = rate;
        this.perAddress = perAddress;
        this.bucket = rate == null ? null : new TokenBucket(rate.perSecond(), rate.burst(), System.nanoTime());
        long now = System.nanoTime();
        for (int i = 0; i < sinceLine.length; i++) {
            sinceLine[i] = new LongAdder();
            nextLine[i] = new AtomicLong(now);
        }
    }

    /** Whether this listener limits new connections at all (otherwise {@link #admit} need not be called). */
    public boolean limits() {
        return maxConnections > 0 || rate != null || perAddress != null;
    }

    /**
     * Takes {@code channel} if the limits allow it: it counts until it closes. Otherwise closes it, counts and
     * reports the refusal.
     *
     * @return whether it was taken
     */
    public boolean admit(Channel channel) {
        if (maxConnections > 0 && open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            return refuse(channel, AcceptRefusal.MAX_CONNECTIONS, "max-connections", Integer.toString(maxConnections),
                    null);
        }
        long now = System.nanoTime();
        if (bucket != null) {
            boolean allowed;
            synchronized (bucket) {
                allowed = bucket.trySpend(1, now);
            }
            if (!allowed) {
                releaseListener();
                return refuse(channel, AcceptRefusal.CONNECTION_RATE, "connection-rate", plain(rate.perSecond()), null);
            }
        }
        SourceState state = null;
        if (perAddress != null) {
            Source source = Source.of(channel.remoteAddress(), perAddress);
            if (source != null) {
                Outcome outcome;
                do {
                    sweepIfDue(now);
                    state = sources.get(source);
                    if (state == null) {
                        if (sources.size() >= MAX_SOURCES) {
                            sweep(now);
                            if (sources.size() >= MAX_SOURCES) {
                                releaseListener();
                                return refuse(channel, AcceptRefusal.ADDRESS_RATE, "per-address.sources",
                                        Integer.toString(MAX_SOURCES), source.toString());
                            }
                        }
                        state = sources.computeIfAbsent(source, s -> new SourceState(s, perAddress, now));
                    }
                    outcome = state.admit(perAddress, now);
                } while (outcome == Outcome.GONE);
                if (outcome == Outcome.AT_MAX) {
                    releaseListener();
                    return refuse(channel, AcceptRefusal.ADDRESS_CONNECTIONS, "per-address.max-connections",
                            Integer.toString(perAddress.maxConnections()), source.toString());
                }
                if (outcome == Outcome.OVER_RATE) {
                    releaseListener();
                    return refuse(channel, AcceptRefusal.ADDRESS_RATE, "per-address.connection-rate",
                            plain(perAddress.connectionRate().perSecond()), source.toString());
                }
            }
        }
        SourceState taken = state;
        if (maxConnections > 0 || taken != null) {
            channel.closeFuture().addListener(f -> {
                releaseListener();
                if (taken != null) {
                    taken.release(sources, System.nanoTime());
                }
            });
        }
        return true;
    }

    /** Source address blocks tracked now (tests, metrics). */
    int trackedSources() {
        return sources.size();
    }

    private void releaseListener() {
        if (maxConnections > 0) {
            open.decrementAndGet();
        }
    }

    private boolean refuse(Channel channel, AcceptRefusal reason, String limitKey, String limit, String source) {
        events.connectionRefusedOnAccept(reason);
        int i = reason.ordinal();
        sinceLine[i].increment();
        long now = System.nanoTime();
        long next = nextLine[i].get();
        if (now - next >= 0 && nextLine[i].compareAndSet(next, now + LINE_INTERVAL_NANOS)) {
            events.connectionsRefused(listener, reason, limitKey, limit, sinceLine[i].sumThenReset(), source);
        }
        channel.close();
        return false;
    }

    private void sweepIfDue(long now) {
        long next = nextSweep.get();
        if (now - next >= 0 && nextSweep.compareAndSet(next, now + SWEEP_INTERVAL_NANOS)) {
            sweep(now);
        }
    }

    /** Drops the sources with nothing open whose rate has returned in full. */
    private void sweep(long now) {
        for (Iterator<SourceState> it = sources.values().iterator(); it.hasNext(); ) {
            it.next().removeIfIdle(sources, now);
        }
    }

    private static String plain(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    /** A source address block: the address's first prefix-length bits. */
    record Source(long high, long low, int prefixLength, boolean v6) {

        static Source of(java.net.SocketAddress remote, AddressLimits limits) {
            if (!(remote instanceof InetSocketAddress inet) || inet.getAddress() == null) {
                return null;
            }
            InetAddress address = inet.getAddress();
            byte[] bytes = address.getAddress();
            if (bytes.length == 4) {
                long bits = ((bytes[0] & 0xFFL) << 24) | ((bytes[1] & 0xFFL) << 16) | ((bytes[2] & 0xFFL) << 8)
                        | (bytes[3] & 0xFFL);
                int prefix = limits.ipv4PrefixLength();
                long mask = prefix == 32 ? 0xFFFF_FFFFL : (0xFFFF_FFFFL << (32 - prefix)) & 0xFFFF_FFFFL;
                return new Source(0, bits & mask, prefix, false);
            }
            long high = 0;
            long low = 0;
            for (int i = 0; i < 8; i++) {
                high = (high << 8) | (bytes[i] & 0xFFL);
                low = (low << 8) | (bytes[i + 8] & 0xFFL);
            }
            int prefix = limits.ipv6PrefixLength();
            if (prefix <= 64) {
                high &= prefix == 64 ? -1L : ~(-1L >>> prefix);
                low = 0;
            } else {
                low &= prefix == 128 ? -1L : ~(-1L >>> (prefix - 64));
            }
            return new Source(high, low, prefix, true);
        }

        @Override
        public String toString() {
            if (!v6) {
                return ((low >>> 24) & 0xFF) + "." + ((low >>> 16) & 0xFF) + "." + ((low >>> 8) & 0xFF) + "."
                        + (low & 0xFF) + "/" + prefixLength;
            }
            byte[] bytes = new byte[16];
            for (int i = 0; i < 8; i++) {
                bytes[i] = (byte) (high >>> (56 - 8 * i));
                bytes[i + 8] = (byte) (low >>> (56 - 8 * i));
            }
            try {
                return InetAddress.getByAddress(bytes).getHostAddress() + "/" + prefixLength;
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** What a source's state answers to a new connection. */
    private enum Outcome {
        TAKEN,
        /** The state left the map meanwhile: look the source up again. */
        GONE,
        AT_MAX,
        OVER_RATE
    }

    /** What one source has open and has left of its rate; guarded by its own monitor. */
    private static final class SourceState {

        private final Source source;
        private final TokenBucket bucket;
        private int open;
        private boolean removed;

        SourceState(Source source, AddressLimits limits, long now) {
            this.source = source;
            IdentityLimits.Rate rate = limits.connectionRate();
            this.bucket = rate == null ? null : new TokenBucket(rate.perSecond(), rate.burst(), now);
        }

        synchronized Outcome admit(AddressLimits limits, long now) {
            if (removed) {
                return Outcome.GONE;
            }
            if (limits.maxConnections() > 0 && open >= limits.maxConnections()) {
                return Outcome.AT_MAX;
            }
            if (bucket != null && !bucket.trySpend(1, now)) {
                return Outcome.OVER_RATE;
            }
            open++;
            return Outcome.TAKEN;
        }

        synchronized void release(Map<Source, SourceState> sources, long now) {
            open--;
            removeIfIdle(sources, now);
        }

        synchronized void removeIfIdle(Map<Source, SourceState> sources, long now) {
            if (!removed && open == 0 && (bucket == null || bucket.isFull(now))) {
                removed = true;
                sources.remove(source, this);
            }
        }
    }
}
