package io.rampart.server.security;

import io.rampart.core.cluster.SharedState;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down password guessing. Failed authentications (bad credentials) are counted per client address and per
 * presented user name. Once either count reaches {@code threshold}, each further attempt from that address or for
 * that user name waits {@code initialDelay × 2^(failures − threshold)} (capped at {@code maxDelay}; the larger of
 * the two counts decides) before it is even evaluated.
 *
 * <p>A success clears only what the successful user name itself failed: that name's counter, and its failures
 * counted against the address. Failures of other names from the same address stay, so one valid login (a
 * compromised device) does not reset the guessing of someone else's password. Every counter is forgotten
 * {@code reset} after its last failure. Both tables are bounded: when one is full the expired entries and then
 * the stalest are dropped.
 *
 * <p>Thread-safe; every operation is a short update of one or two map entries, done at CONNECT only. The same
 * brake can guard any login (MQTT CONNECT, an admin login): callers pass the address and the presented name.
 *
 * <p>On a node of a cluster ({@link #share}) every failure and success is also sent to the other nodes, which count it
 * as if it happened there: the counters add up across the cluster, so guesses spread over the nodes meet the same
 * brake as guesses at one node.
 */
public final class BruteForceBrake {

    private static final Logger LOG = LogManager.getLogger(BruteForceBrake.class);
    static final String CHANNEL = "brute-force";
    private static final int FAILURE = 1;
    private static final int SUCCESS = 2;
    static final int MAX_TRACKED = 100_000;
    /** User names remembered per address, so a success can take its own failures off the address count. */
    static final int MAX_NAMES_PER_ADDRESS = 32;
    /** Longer user names are tracked by a fixed-size key (prefix, length and hash), so a key stays small. */
    private static final int MAX_KEY_LENGTH = 256;

    private final boolean enabled;
    private final int threshold;
    private final long initialDelayMs;
    private final long maxDelayMs;
    private final long resetNanos;
    private final Clock clock;
    private final ConcurrentHashMap<InetAddress, AddressFailures> byAddress = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Failures> byUser = new ConcurrentHashMap<>();
    private volatile SharedState cluster;

    /** Monotonic time in nanoseconds (a seam for tests). */
    @FunctionalInterface
    interface Clock {
        long nanoTime();
    }

    public BruteForceBrake(boolean enabled, int threshold, long initialDelayMs, long maxDelayMs, long resetSeconds) {
        this(enabled, threshold, initialDelayMs, maxDelayMs, resetSeconds, System::nanoTime);
    }

    BruteForceBrake(boolean enabled, int threshold, long initialDelayMs, long maxDelayMs, long resetSeconds,
                    Clock clock) {
        this.enabled = enabled;
        this.threshold = threshold;
        this.initialDelayMs = initialDelayMs;
        this.maxDelayMs = maxDelayMs;
        this.resetNanos = resetSeconds * 1_000_000_000L;
        this.clock = clock;
    }

    /**
     * Milliseconds an attempt from {@code address} for user name {@code user} must wait before it is evaluated
     * (0 = none). Either may be {@code null} (unknown address, no user name).
     */
    public long delayMillis(InetAddress address, String user) {
        if (!enabled) {
            return 0;
        }
        long now = clock.nanoTime();
        int worst = 0;
        if (address != null && byAddress.containsKey(address)) {
            AddressFailures f = byAddress.computeIfPresent(address, (a, e) -> expired(e, now) ? null : e);
            worst = f == null ? 0 : f.count;
        }
        String key = key(user);
        if (key != null && byUser.containsKey(key)) {
            Failures f = byUser.computeIfPresent(key, (k, e) -> expired(e, now) ? null : e);
            worst = Math.max(worst, f == null ? 0 : f.count);
        }
        int over = worst - threshold;
        if (over < 0) {
            return 0;
        }
        return Math.min(initialDelayMs << Math.min(over, 20), maxDelayMs);
    }

    /** A bad-credentials refusal of user name {@code user} (may be {@code null}) from {@code address}. */
    public void failure(InetAddress address, String user) {
        if (!enabled) {
            return;
        }
        countFailure(address, user);
        tell(FAILURE, address, user);
    }

    private void countFailure(InetAddress address, String user) {
        long now = clock.nanoTime();
        String key = key(user);
        if (address != null) {
            makeRoom(byAddress, address, now);
            byAddress.compute(address, (a, e) -> {
                AddressFailures f = e == null || expired(e, now) ? new AddressFailures() : e;
                f.count++;
                f.last = now;
                if (key != null && (f.byName.containsKey(key) || f.byName.size() < MAX_NAMES_PER_ADDRESS)) {
                    f.byName.merge(key, 1, Integer::sum);
                }
                return f;
            });
        }
        if (key != null) {
            makeRoom(byUser, key, now);
            byUser.compute(key, (k, e) -> {
                Failures f = e == null || expired(e, now) ? new Failures() : e;
                f.count++;
                f.last = now;
                return f;
            });
        }
    }

    /**
     * User name {@code user} proved its credentials from {@code address}: its own counter is cleared, and its failures
     * come off the address count; failures of other names from the address stay until they expire.
     */
    public void success(InetAddress address, String user) {
        if (key(user) == null) {
            return;
        }
        clear(address, user);
        tell(SUCCESS, address, user);
    }

    private void clear(InetAddress address, String user) {
        String key = key(user);
        byUser.remove(key);
        if (address != null) {
            byAddress.computeIfPresent(address, (a, f) -> {
                Integer own = f.byName.remove(key);
                if (own != null) {
                    f.count -= own;
                }
                return f.count <= 0 ? null : f;
            });
        }
    }

    /** Shares the counters with the other nodes of a cluster: each failure and success here is counted there too. */
    public void share(SharedState state) {
        if (!enabled) {
            return;
        }
        state.onSignal(CHANNEL, this::told);
        cluster = state;
    }

    private void tell(int what, InetAddress address, String user) {
        SharedState state = cluster;
        if (state == null) {
            return;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(what);
            byte[] a = address == null ? new byte[0] : address.getAddress();
            out.writeByte(a.length);
            out.write(a);
            String key = key(user);
            out.writeBoolean(key != null);
            if (key != null) {
                out.writeUTF(key);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        state.signal(CHANNEL, bytes.toByteArray());
    }

    /** Another node counted a failure or a success. */
    private void told(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int what = in.readByte();
            byte[] a = new byte[in.readUnsignedByte()];
            in.readFully(a);
            InetAddress address = a.length == 0 ? null : InetAddress.getByAddress(a);
            String user = in.readBoolean() ? in.readUTF() : null;
            if (what == FAILURE) {
                countFailure(address, user);
            } else if (what == SUCCESS && user != null) {
                clear(address, user);
            }
        } catch (UnknownHostException e) {
            LOG.warn("brute-force brake: a count from another node names no address and is ignored");
        } catch (IOException e) {
            LOG.warn("brute-force brake: a count from another node cannot be read and is ignored: {}", e.toString());
        }
    }

    public int trackedAddresses() {
        return byAddress.size();
    }

    public int trackedUsers() {
        return byUser.size();
    }

    private boolean expired(Failures f, long now) {
        return now - f.last > resetNanos;
    }

    /** Bounds a table before a new entry goes in: first the expired entries go, then the stalest tenth. */
    private <K> void makeRoom(ConcurrentHashMap<K, ? extends Failures> table, K key, long now) {
        if (table.size() < MAX_TRACKED || table.containsKey(key)) {
            return;
        }
        table.values().removeIf(f -> expired(f, now));
        if (table.size() < MAX_TRACKED) {
            return;
        }
        long[] last = table.values().stream().mapToLong(f -> f.last).toArray();
        Arrays.sort(last);
        long cutoff = last[Math.min(last.length - 1, last.length / 10)];
        table.values().removeIf(f -> f.last <= cutoff);
    }

    private static String key(String user) {
        if (user == null || user.isEmpty()) {
            return null;
        }
        if (user.length() <= MAX_KEY_LENGTH) {
            return user;
        }
        return user.substring(0, MAX_KEY_LENGTH - 32) + "\u0000" + user.length() + ":" + user.hashCode();
    }

    /** Failures of one key. Mutated only inside the owning map's compute functions. */
    private static class Failures {
        int count;
        long last;
    }

    private static final class AddressFailures extends Failures {
        final Map<String, Integer> byName = new HashMap<>();
    }
}
