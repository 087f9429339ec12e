package io.rampart.core.topic;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The members of one shared subscription ({@code $share/group/filter}); a message matching the filter goes to
 * one eligible member, chosen round robin.
 *
 * <p>Members are kept in a copy-on-write array: reads ({@link #next}, {@link #size}) are lock-free and
 * allocation-free; changes happen under the owning index node's lock.
 */
public final class SharedGroup {

    private static final Subscription[] EMPTY = new Subscription[0];

    private final String group;
    private final String filter;
    private final AtomicInteger cursor = new AtomicInteger();
    private volatile Subscription[] members = EMPTY;

    SharedGroup(String group, String filter) {
        this.group = group;
        this.filter = filter;
    }

    public String group() {
        return group;
    }

    public String filter() {
        return filter;
    }

    public int size() {
        return members.length;
    }

    /**
     * The next member in round-robin order for which {@code eligible} is true (for example: connected, or
     * with room in its inflight window), or {@code null} if no member is eligible.
     */
    public Subscription next(Predicate<Subscription> eligible) {
        Subscription[] current = members;
        int n = current.length;
        if (n == 0) {
            return null;
        }
        int start = cursor.getAndIncrement();
        for (int k = 0; k < n; k++) {
            Subscription candidate = current[Math.floorMod(start + k, n)];
            if (eligible.test(candidate)) {
                if (k > 0) {
                    // Skip past the ineligible members so the next call starts after the one chosen now.
                    cursor.compareAndSet(start + 1, start + k + 1);
                }
                return candidate;
            }
        }
        return null;
    }

    /** A snapshot of the members. */
    public List<Subscription> members() {
        return List.of(members);
    }

    /** Adds or replaces the member with the same client id; returns the replaced one. Caller holds the node lock. */
    Subscription put(Subscription s) {
        Subscription[] current = members;
        for (int i = 0; i < current.length; i++) {
            if (current[i].clientId().equals(s.clientId())) {
                Subscription[] copy = current.clone();
                copy[i] = s;
                members = copy;
                return current[i];
            }
        }
        Subscription[] copy = Arrays.copyOf(current, current.length + 1);
        copy[current.length] = s;
        members = copy;
        return null;
    }

    /** Removes the member with this client id; returns it or null. Caller holds the node lock. */
    Subscription remove(String clientId) {
        Subscription[] current = members;
        for (int i = 0; i < current.length; i++) {
            if (current[i].clientId().equals(clientId)) {
                Subscription[] copy = new Subscription[current.length - 1];
                System.arraycopy(current, 0, copy, 0, i);
                System.arraycopy(current, i + 1, copy, i, current.length - i - 1);
                members = copy;
                return current[i];
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "SharedGroup[$share/" + group + "/" + filter + ", members=" + members.length + "]";
    }
}
