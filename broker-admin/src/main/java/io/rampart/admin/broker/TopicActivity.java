package io.rampart.admin.broker;

import io.rampart.core.topic.FilterCount;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Topic insights: the busiest topics and topic levels by messages and bytes per second, in and out, and the topic
 * filters with the most subscribers. Rates are estimates from bounded heavy-hitter sketches: a topic is always listed
 * when it carries a large enough share of the traffic, a rare one may be missing.
 */
public interface TopicActivity {

    /** Topic insights switched off. */
    TopicActivity NONE = new TopicActivity() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public View view(Order by, int limit) {
            return new View(null, Duration.ZERO, 0, List.of(), List.of(), List.of());
        }
    };

    /** Whether PUBLISH traffic is counted ({@code insights.topics.enabled}). */
    boolean enabled();

    /** The busiest topics and levels ordered by {@code by}, at most {@code limit} of each, and the top filters. */
    View view(Order by, int limit);

    /** What topics and levels are ranked by. */
    enum Order {
        MESSAGES_IN, BYTES_IN, MESSAGES_OUT, BYTES_OUT;

        /** As written in the API: {@code messages-in}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** The order with that {@link #id()}, or {@code null}. */
        public static Order byId(String id) {
            for (Order o : values()) {
                if (o.id().equals(id)) {
                    return o;
                }
            }
            return null;
        }
    }

    /**
     * One topic's or topic level's traffic over the view's span: "in" is what clients published, "out" what was
     * routed to subscribers (one message per receiving session).
     *
     * @param name the topic, or the leading levels of topics ({@code a/b})
     */
    record Rate(String name, long messagesIn, long bytesIn, long messagesOut, long bytesOut,
                double messagesInPerSecond, double bytesInPerSecond, double messagesOutPerSecond,
                double bytesOutPerSecond) {
    }

    /**
     * @param updated when the view was last updated, {@code null} before the first update
     * @param span    the stretch of time the counts cover
     * @param depth   how many leading levels make a topic level
     */
    record View(Instant updated, Duration span, int depth, List<Rate> topics, List<Rate> levels,
                List<FilterCount> filters) {
    }
}
