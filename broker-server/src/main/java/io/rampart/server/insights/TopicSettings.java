package io.rampart.server.insights;

import java.time.Duration;

/**
 * Topic insights ({@code insights.topics:}): the busiest topics and topic levels, in and out, and the filters with
 * the most subscribers.
 *
 * @param enabled    whether PUBLISH traffic is counted at all (off: the message path does not look at it)
 * @param sketchSize the most topics (and, separately, topic levels) each counting sketch follows; a power of two,
 *                   16..65 536. Memory and accuracy grow with it: a topic is certain to be listed when it carries
 *                   more than about 3.5 / {@code sketchSize} of all messages
 * @param levels     how many leading topic levels make a topic level ({@code a}, {@code a/b}, ...); 0..8, 0 for none
 * @param interval   how often the event loops' counts are collected and the view updated; 1 s..1 min
 * @param window     the rates are averaged over this much of the recent past; {@code interval}..1 h
 * @param top        topics, topic levels and filters exported as metrics (per gauge, the top N by its own
 *                   measure); 1..100
 */
public record TopicSettings(boolean enabled, int sketchSize, int levels, Duration interval, Duration window,
                            int top) {

    public static final TopicSettings DEFAULTS = new TopicSettings(true, 1024, 2, Duration.ofSeconds(5),
            Duration.ofMinutes(1), 10);

    public TopicSettings {
        if (sketchSize < 16 || sketchSize > 65_536 || Integer.bitCount(sketchSize) != 1) {
            throw new IllegalArgumentException("sketch-size: must be a power of two between 16 and 65536 (was "
                    + sketchSize + ")");
        }
        if (levels < 0 || levels > 8) {
            throw new IllegalArgumentException("levels: must be between 0 and 8 (was " + levels + ")");
        }
        if (interval.compareTo(Duration.ofSeconds(1)) < 0 || interval.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("interval: must be between 1s and 1m (was " + interval + ")");
        }
        if (window.compareTo(interval) < 0 || window.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("window: must be between the interval (" + interval + ") and 1h (was "
                    + window + ")");
        }
        if (top < 1 || top > 100) {
            throw new IllegalArgumentException("top: must be between 1 and 100 (was " + top + ")");
        }
    }

    /** How many intervals the window holds. */
    public int intervals() {
        return (int) Math.max(1, window.toMillis() / interval.toMillis());
    }
}
