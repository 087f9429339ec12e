package io.rampart.server.insights;

import io.netty.util.concurrent.EventExecutor;

import java.util.function.Consumer;

/**
 * The topic counts of one event loop, touched only on that loop: counting a PUBLISH takes no lock and shares no
 * memory with other threads (an exact table of recent keys in front of the sketches, {@link TopicTable}). The
 * insights thread asks for them ({@link #collect}) once per interval; the loop then hands its counts over and starts
 * afresh.
 */
final class LoopTally {

    private final EventExecutor loop;
    private final TopicSettings settings;
    /** Loop only. */
    private final TopicTable table;
    /** Loop only. */
    private TopicCounts counts;
    /** Loop only: whether anything was counted since the last hand-over. */
    private boolean dirty;

    LoopTally(EventExecutor loop, TopicSettings settings) {
        this.loop = loop;
        this.settings = settings;
        this.table = new TopicTable(settings.levels());
        this.counts = new TopicCounts(settings);
    }

    /** On the loop: a PUBLISH was routed to {@code receivers} sessions. */
    void published(String topic, int bytes, int receivers) {
        table.published(topic, bytes, receivers, counts);
        dirty = true;
    }

    /**
     * Any thread: the loop hands what it counted so far to {@code sink} (on the loop) and starts afresh.
     *
     * @return {@code false} when the loop has shut down
     */
    boolean collect(Consumer<TopicCounts> sink) {
        if (loop.isShuttingDown()) {
            return false;
        }
        try {
            loop.execute(() -> {
                if (!dirty) {
                    return;
                }
                table.flush(counts);
                TopicCounts done = counts;
                counts = new TopicCounts(settings);
                dirty = false;
                sink.accept(done);
            });
            return true;
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return false;
        }
    }
}
