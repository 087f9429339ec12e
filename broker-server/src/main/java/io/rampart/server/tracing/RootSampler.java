package io.rampart.server.tracing;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Which of one connection's PUBLISHes start a new recorded trace, with probability {@code sampler.ratio} each, without
 * a random number per message: the gap to the next recorded message is drawn once, when one is recorded (a geometric
 * distribution, the same as an independent draw per message), and every other message pays one decrement. Used on
 * the connection's event loop only.
 */
public final class RootSampler {

    private final double ratio;
    /** Messages still to pass unrecorded before the next one is recorded. */
    private long skip;

    RootSampler(double ratio) {
        this.ratio = ratio;
        this.skip = gap();
    }

    /** Whether this message starts a recorded trace. */
    boolean sample() {
        if (skip > 0) {
            skip--;
            return false;
        }
        skip = gap();
        return true;
    }

    /** Unrecorded messages before the next recorded one: P(k) = (1 - ratio)^k * ratio. */
    private long gap() {
        if (ratio >= 1.0) {
            return 0;
        }
        if (ratio <= 0.0) {
            return Long.MAX_VALUE;
        }
        double uniform = ThreadLocalRandom.current().nextDouble();
        return (long) Math.floor(Math.log1p(-uniform) / Math.log1p(-ratio));
    }
}
