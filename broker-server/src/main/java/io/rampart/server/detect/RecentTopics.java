package io.rampart.server.detect;

/**
 * The topics one connection published to lately, as a small direct-mapped table of topic hashes: only a topic not
 * among them is handed to the detector ({@link Detector#publishedTo}), so a device publishing to its few usual topics
 * costs one array read per PUBLISH. Touched on the connection's event loop only; allocated at its first PUBLISH.
 */
public final class RecentTopics {

    private static final int SLOTS = 64;
    /** 0: empty. */
    private final int[] hashes = new int[SLOTS];

    /** Whether {@code topic} was not among the recent topics; it is from now on. */
    public boolean firstLately(String topic) {
        int h = topic.hashCode();
        if (h == 0) {
            h = 1;
        }
        int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
        if (hashes[slot] == h) {
            return false;
        }
        hashes[slot] = h;
        return true;
    }
}
