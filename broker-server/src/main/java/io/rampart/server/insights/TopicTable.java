package io.rampart.server.insights;

import java.util.Arrays;

/**
 * Exact counts of the topics and topic levels one event loop routed since the last flush, in two fixed
 * open-addressing tables: a PUBLISH to a topic seen lately costs a few array reads and additions, and no allocation
 * (a topic level is matched in place in the topic; only a new one becomes a string). When a table is full, and when
 * the loop hands its counts over, the tables are flushed into the sketches ({@link TopicCounts}) as weighted updates
 * and emptied, so memory stays fixed whatever the number of topics. Not thread-safe: one event loop only.
 */
final class TopicTable {

    static final int SLOTS = 512;
    private static final int LIMIT = SLOTS * 3 / 4;

    private final Keys topics = new Keys();
    /** {@code null} when no topic levels are counted. */
    private final Keys levels;
    private final int depth;

    TopicTable(int depth) {
        this.depth = depth;
        this.levels = depth == 0 ? null : new Keys();
    }

    /** A PUBLISH of {@code bytes} payload bytes to {@code topic} was routed to {@code receivers} sessions. */
    void published(String topic, int bytes, int receivers, TopicCounts into) {
        if (!topics.add(topic, topic.length(), topic.hashCode(), bytes, receivers)) {
            flush(into);
            topics.add(topic, topic.length(), topic.hashCode(), bytes, receivers);
        }
        if (levels == null) {
            return;
        }
        // The running hash at a '/' is String.hashCode() of the levels before it.
        int h = 0;
        int d = 0;
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c == '/') {
                level(topic, i, h, bytes, receivers, into);
                if (++d == depth) {
                    return;
                }
            }
            h = 31 * h + c;
        }
        level(topic, topic.length(), h, bytes, receivers, into);
    }

    private void level(String topic, int end, int hash, int bytes, int receivers, TopicCounts into) {
        if (!levels.add(topic, end, hash, bytes, receivers)) {
            flush(into);
            levels.add(topic, end, hash, bytes, receivers);
        }
    }

    /** Adds every count to the sketches and empties the tables. */
    void flush(TopicCounts into) {
        topics.flush(into, false);
        if (levels != null) {
            levels.flush(into, true);
        }
    }

    /** One table: keys with their four counts. */
    private static final class Keys {
        final String[] keys = new String[SLOTS];
        final int[] hashes = new int[SLOTS];
        final long[] messagesIn = new long[SLOTS];
        final long[] bytesIn = new long[SLOTS];
        final long[] messagesOut = new long[SLOTS];
        final long[] bytesOut = new long[SLOTS];
        int size;

        /** Counts the key {@code topic[0, end)}; {@code false} when it is new and the table is full. */
        boolean add(String topic, int end, int hash, int bytes, int receivers) {
            int i = (hash ^ (hash >>> 16)) & (SLOTS - 1);
            while (true) {
                String k = keys[i];
                if (k == null) {
                    if (size == LIMIT) {
                        return false;
                    }
                    keys[i] = end == topic.length() ? topic : topic.substring(0, end);
                    hashes[i] = hash;
                    size++;
                    break;
                }
                if (hashes[i] == hash && k.length() == end && topic.regionMatches(0, k, 0, end)) {
                    break;
                }
                i = (i + 1) & (SLOTS - 1);
            }
            messagesIn[i]++;
            bytesIn[i] += bytes;
            messagesOut[i] += receivers;
            bytesOut[i] += (long) bytes * receivers;
            return true;
        }

        void flush(TopicCounts into, boolean level) {
            if (size == 0) {
                return;
            }
            for (int i = 0; i < SLOTS; i++) {
                if (keys[i] != null) {
                    into.add(level, keys[i], messagesIn[i], bytesIn[i], messagesOut[i], bytesOut[i]);
                }
            }
            Arrays.fill(keys, null);
            Arrays.fill(messagesIn, 0);
            Arrays.fill(bytesIn, 0);
            Arrays.fill(messagesOut, 0);
            Arrays.fill(bytesOut, 0);
            size = 0;
        }
    }
}
