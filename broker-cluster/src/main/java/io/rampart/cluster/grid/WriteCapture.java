package io.rampart.cluster.grid;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Collects the data-grid writes that one routing step caused on its thread (journaled queued messages, a retained
 * message), so the step can wait for all of them before the publisher is acknowledged.
 */
public final class WriteCapture {

    private final ThreadLocal<List<CompletableFuture<?>>> current = new ThreadLocal<>();
    /** A write made just before the step began (the retained message is stored before routing starts). */
    private final ThreadLocal<CompletableFuture<?>> early = new ThreadLocal<>();

    /** Starts collecting on this thread, with the write made just before, if any. */
    public void begin() {
        List<CompletableFuture<?>> writes = new ArrayList<>(2);
        CompletableFuture<?> before = early.get();
        if (before != null) {
            early.remove();
            writes.add(before);
        }
        current.set(writes);
    }

    /** A write that a step about to begin on this thread must wait for; forgotten by {@link #forgetEarly}. */
    public void addEarly(CompletableFuture<?> write) {
        if (current.get() != null) {
            add(write);
        } else {
            early.set(write);
        }
    }

    /** A step that waits for nothing began: the write made before it is not waited for. */
    public void forgetEarly() {
        early.remove();
    }

    /** Whether this thread is collecting. */
    public boolean active() {
        return current.get() != null;
    }

    /** Adds a write of this thread's current step (ignored when nothing collects). */
    public void add(CompletableFuture<?> write) {
        List<CompletableFuture<?>> writes = current.get();
        if (writes != null) {
            writes.add(write);
        }
    }

    /** Stops collecting and returns what was collected. */
    public List<CompletableFuture<?>> end() {
        List<CompletableFuture<?>> writes = current.get();
        current.remove();
        return writes == null ? List.of() : writes;
    }
}
