package io.rampart.server.insights;

import io.rampart.admin.broker.TopicActivity.Order;
import io.rampart.admin.broker.TopicActivity.Rate;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;

import java.util.ArrayList;
import java.util.List;

/**
 * Messages and bytes, in and out, per topic and per topic level, each in a heavy-hitter sketch (DataSketches'
 * frequent items) that follows at most {@code sketch-size} keys whatever the number of topics. Not thread-safe:
 * counted on one event loop, merged on the insights thread.
 */
final class TopicCounts {

    private final Traffic topics;
    /** {@code null} when no topic levels are counted. */
    private final Traffic levels;

    TopicCounts(TopicSettings settings) {
        this.topics = new Traffic(settings.sketchSize());
        this.levels = settings.levels() == 0 ? null : new Traffic(settings.sketchSize());
    }

    /** Counts of one topic ({@code level} false) or topic level, as a table flushes them ({@link TopicTable}). */
    void add(boolean level, String key, long messagesIn, long bytesIn, long messagesOut, long bytesOut) {
        Traffic t = level ? levels : topics;
        if (t != null) {
            t.add(key, messagesIn, bytesIn, messagesOut, bytesOut);
        }
    }

    void merge(TopicCounts other) {
        topics.merge(other.topics);
        if (levels != null) {
            levels.merge(other.levels);
        }
    }

    List<Rate> topics(Order by, int limit, double seconds) {
        return topics.top(by, limit, seconds);
    }

    List<Rate> levels(Order by, int limit, double seconds) {
        return levels == null ? List.of() : levels.top(by, limit, seconds);
    }

    /** The most keys any of its sketches follows (the memory bound the tests check). */
    int largestSketch() {
        int n = topics.largest();
        return levels == null ? n : Math.max(n, levels.largest());
    }

    /** The keys a sketch follows at most (its maximum map capacity). */
    int sketchCapacity() {
        return topics.messagesIn.getMaximumMapCapacity();
    }

    /** Four sketches over one kind of key. */
    private static final class Traffic {
        final ItemsSketch<String> messagesIn;
        final ItemsSketch<String> bytesIn;
        final ItemsSketch<String> messagesOut;
        final ItemsSketch<String> bytesOut;

        Traffic(int size) {
            messagesIn = new ItemsSketch<>(size);
            bytesIn = new ItemsSketch<>(size);
            messagesOut = new ItemsSketch<>(size);
            bytesOut = new ItemsSketch<>(size);
        }

        void add(String key, long mi, long bi, long mo, long bo) {
            // A zero weight is no update for the sketches.
            messagesIn.update(key, mi);
            bytesIn.update(key, bi);
            messagesOut.update(key, mo);
            bytesOut.update(key, bo);
        }

        void merge(Traffic o) {
            messagesIn.merge(o.messagesIn);
            bytesIn.merge(o.bytesIn);
            messagesOut.merge(o.messagesOut);
            bytesOut.merge(o.bytesOut);
        }

        int largest() {
            return Math.max(Math.max(messagesIn.getNumActiveItems(), bytesIn.getNumActiveItems()),
                    Math.max(messagesOut.getNumActiveItems(), bytesOut.getNumActiveItems()));
        }

        List<Rate> top(Order by, int limit, double seconds) {
            ItemsSketch<String> ranked = switch (by) {
                case MESSAGES_IN -> messagesIn;
                case BYTES_IN -> bytesIn;
                case MESSAGES_OUT -> messagesOut;
                case BYTES_OUT -> bytesOut;
            };
            if (ranked.isEmpty()) {
                return List.of();
            }
            ItemsSketch.Row<String>[] rows = ranked.getFrequentItems(ErrorType.NO_FALSE_NEGATIVES);
            List<Rate> out = new ArrayList<>(Math.min(limit, rows.length));
            double s = Math.max(seconds, 1e-3);
            for (int i = 0; i < rows.length && out.size() < limit; i++) {
                String key = rows[i].getItem();
                long mi = messagesIn.getEstimate(key);
                long bi = bytesIn.getEstimate(key);
                long mo = messagesOut.getEstimate(key);
                long bo = bytesOut.getEstimate(key);
                out.add(new Rate(key, mi, bi, mo, bo, mi / s, bi / s, mo / s, bo / s));
            }
            return out;
        }
    }
}
