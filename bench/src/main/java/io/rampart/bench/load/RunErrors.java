package io.rampart.bench.load;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Error counters shared by all connections of a run; these are rare events, so contention does not matter. */
public final class RunErrors {

    private static final int MAX_PRINTED = 5;

    private final LongAdder connectFailures = new LongAdder();
    private final LongAdder refusals = new LongAdder();
    private final LongAdder connectionsLost = new LongAdder();
    private final LongAdder protocolErrors = new LongAdder();
    private final AtomicInteger printed = new AtomicInteger();

    /** TCP connect failed or no CONNACK arrived in time. */
    public void connectFailed(String who, Throwable cause) {
        connectFailures.increment();
        print("connect failed for " + who + ": " + describe(cause));
    }

    /** CONNACK or SUBACK carried a failure code. */
    public void refused(String who, String what) {
        refusals.increment();
        print(who + ": " + what);
    }

    /** An established connection closed without us asking for it. */
    public void connectionLost(String who) {
        connectionsLost.increment();
        print("connection lost: " + who);
    }

    /** Undecodable packet, unexpected packet or an exception in the pipeline. */
    public void protocolError(String who, String what) {
        protocolErrors.increment();
        print(who + ": " + what);
    }

    public long total() {
        return connectFailures.sum() + refusals.sum() + connectionsLost.sum() + protocolErrors.sum();
    }

    public String summary() {
        return "connect-failures=" + connectFailures.sum() + " refused=" + refusals.sum()
                + " connections-lost=" + connectionsLost.sum() + " protocol=" + protocolErrors.sum();
    }

    private void print(String line) {
        int n = printed.incrementAndGet();
        if (n <= MAX_PRINTED) {
            System.err.println("error: " + line);
        } else if (n == MAX_PRINTED + 1) {
            System.err.println("error: further errors are counted but not printed");
        }
    }

    private static String describe(Throwable t) {
        if (t == null) {
            return "unknown";
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}
