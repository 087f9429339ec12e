package io.rampart.admin.http;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts the requests each client address has in progress; beyond the limit a request is answered 429. */
public final class AddressLimiter {

    private final int max;
    private final ConcurrentHashMap<InetAddress, AtomicInteger> active = new ConcurrentHashMap<>();

    public AddressLimiter(int maxPerAddress) {
        this.max = maxPerAddress;
    }

    /** Takes a slot; {@code false} when the address already has {@code max} requests in progress. */
    public boolean tryAcquire(InetAddress address) {
        if (address == null) {
            return true;
        }
        boolean[] ok = {false};
        active.compute(address, (a, count) -> {
            AtomicInteger c = count == null ? new AtomicInteger() : count;
            if (c.get() < max) {
                c.incrementAndGet();
                ok[0] = true;
            }
            return c.get() == 0 ? null : c;
        });
        return ok[0];
    }

    public void release(InetAddress address) {
        if (address == null) {
            return;
        }
        active.computeIfPresent(address, (a, c) -> c.decrementAndGet() <= 0 ? null : c);
    }

    /** Addresses with requests in progress (tests). */
    public int trackedAddresses() {
        return active.size();
    }
}
