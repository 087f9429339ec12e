package io.rampart.security.realm.file;

import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Calls back when a file may have changed: file-system events on its directory (any event, since editors and
 * Kubernetes replace files by renaming) checked every {@value #TICK_MILLIS} ms, plus an unconditional call every
 * poll interval as a fallback for file systems without events. The callback decides by content whether anything
 * changed. Runs on the given scheduler, never concurrently with itself; never blocks a scheduler thread.
 */
final class FileWatch implements AutoCloseable {

    static final long TICK_MILLIS = 250;

    private final Runnable callback;
    private final Logger log;
    private final long pollNanos;
    private final WatchService watchService;
    private final ScheduledFuture<?> task;
    private long lastCall = System.nanoTime();

    FileWatch(Path file, Duration pollInterval, ScheduledExecutorService scheduler, Runnable callback, Logger log) {
        this.callback = callback;
        this.log = log;
        this.pollNanos = pollInterval.toNanos();
        this.watchService = register(file.toAbsolutePath().getParent(), log);
        long tick = Math.min(TICK_MILLIS, pollInterval.toMillis());
        this.task = scheduler.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
    }

    private static WatchService register(Path dir, Logger log) {
        try {
            WatchService service = FileSystems.getDefault().newWatchService();
            dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
            return service;
        } catch (IOException | UnsupportedOperationException e) {
            log.warn("cannot watch {} for changes ({}); falling back to polling", dir, e.getMessage());
            return null;
        }
    }

    private void tick() {
        try {
            boolean changed = drainEvents();
            long now = System.nanoTime();
            if (changed || now - lastCall >= pollNanos) {
                lastCall = now;
                callback.run();
            }
        } catch (RuntimeException e) {
            // An exception would cancel the periodic task; log and keep watching.
            log.error("checking for realm file changes failed", e);
        }
    }

    private boolean drainEvents() {
        if (watchService == null) {
            return false;
        }
        boolean any = false;
        try {
            WatchKey key;
            while ((key = watchService.poll()) != null) {
                any |= !key.pollEvents().isEmpty();
                key.reset();
            }
        } catch (ClosedWatchServiceException e) {
            return false;
        }
        return any;
    }

    @Override
    public void close() {
        task.cancel(false);
        if (watchService != null) {
            try {
                watchService.close();
            } catch (IOException e) {
                log.debug("closing watch service failed", e);
            }
        }
    }
}
