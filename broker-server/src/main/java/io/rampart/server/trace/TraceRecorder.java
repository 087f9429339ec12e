package io.rampart.server.trace;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.rampart.admin.broker.TraceRecordings;
import io.rampart.server.observe.Observers;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Trace recordings: each running recording is a packet tap on the connections it selects; matching packets go
 * through a bounded queue to one writer thread that appends them as JSON lines to
 * {@code <data-dir>/traces/<id>.jsonl} (owner-only), with the recording's state in {@code <id>.json}.
 *
 * <p>Bounds: at most {@code max-active} recordings run at once, each stops by itself at its duration or its byte
 * bound (a line that would pass the bound is not written), and a recording whose file cannot be written (a full
 * disk) stops with the reason, never the broker. Packets that find the writer's queue full are dropped and counted
 * per recording. Finished recordings are deleted after {@code retention}, and beyond {@code max-stored} the oldest
 * go first. With no recording running, no connection has a tap: the message path pays nothing.
 */
public final class TraceRecorder implements TraceRecordings, AutoCloseable {

    private static final Logger LOG = LogManager.getLogger(TraceRecorder.class);
    static final int QUEUE = 10_000;
    private static final long MIN_BYTES = 1024;
    private static final int MAX_NAME = 200;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TraceSettings settings;
    private final Path dir;
    private final Observers observers;
    private final ScheduledExecutorService timers;
    private final Clock clock;
    private final ThreadPoolExecutor writer;
    private final Map<String, TraceRecording> recordings = new ConcurrentHashMap<>();
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();

    public TraceRecorder(TraceSettings settings, Path dir, Observers observers, ScheduledExecutorService timers,
                         Clock clock) {
        this.settings = settings;
        this.dir = dir;
        this.observers = observers;
        this.timers = timers;
        this.clock = clock;
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE),
                new DefaultThreadFactory("rampart-trace-writer", true));
    }

    /** Reads the recordings kept from earlier runs and starts the periodic flush and clean-up. */
    public TraceRecorder open() {
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> metas = Files.newDirectoryStream(dir, "*.json")) {
                for (Path meta : metas) {
                    try {
                        JsonNode n = TraceLine.JSON.readTree(meta.toFile());
                        TraceRecording r = TraceRecording.load(n, dir);
                        recordings.put(r.id, r);
                    } catch (IOException | RuntimeException e) {
                        LOG.warn("trace recording metadata {} is unreadable and ignored: {}", meta, e.getMessage());
                    }
                }
            } catch (IOException e) {
                LOG.warn("trace recordings in {} cannot be listed: {}", dir, e.getMessage());
            }
        }
        tasks.add(timers.scheduleWithFixedDelay(this::flushSoon, 1, 1, TimeUnit.SECONDS));
        tasks.add(timers.scheduleWithFixedDelay(this::cleanUp, 0, 1, TimeUnit.MINUTES));
        return this;
    }

    @Override
    public synchronized TraceRecordings.Recording start(Request request, String createdBy) throws IOException {
        RecordingFilter filter = RecordingFilter.compile(request);
        if (request.name() != null && (request.name().length() > MAX_NAME
                || request.name().chars().anyMatch(Character::isISOControl))) {
            throw new IllegalArgumentException("name: must be at most " + MAX_NAME
                    + " characters without control characters");
        }
        Duration duration = request.duration() == null ? settings.defaultDuration() : request.duration();
        if (duration.compareTo(Duration.ofSeconds(1)) < 0 || duration.compareTo(settings.maxDuration()) > 0) {
            throw new IllegalArgumentException("duration: must be between 1s and " + settings.maxDuration().toSeconds()
                    + "s (trace-recordings.max-duration)");
        }
        long maxBytes = request.maxBytes() == null ? settings.maxBytes() : request.maxBytes();
        if (maxBytes < MIN_BYTES || maxBytes > settings.maxBytes()) {
            throw new IllegalArgumentException("maxBytes: must be between " + MIN_BYTES + " and " + settings.maxBytes()
                    + " bytes (trace-recordings.max-bytes)");
        }
        long running = recordings.values().stream().filter(TraceRecording::running).count();
        if (running >= settings.maxActive()) {
            throw new IllegalStateException(running + " recording(s) are running, the most allowed at once"
                    + " (trace-recordings.max-active); stop one first");
        }
        Set<String> types = new LinkedHashSet<>();
        request.packetTypes().forEach(t -> types.add(t.toUpperCase(Locale.ROOT)));
        Request effective = new Request(request.name(), request.clientId(), request.username(), request.address(),
                request.topic(), types, duration, maxBytes, request.payloads());
        Files.createDirectories(dir);
        TraceFiles.ownerOnly(dir);
        Instant now = clock.instant();
        String id = newId();
        TraceRecording r = TraceRecording.start(id, effective, filter, createdBy, now, now.plus(duration), maxBytes, dir,
                this::enqueue);
        recordings.put(id, r);
        r.timer = timers.schedule(() -> stop(r, "duration reached"), duration.toMillis(), TimeUnit.MILLISECONDS);
        observers.addTap(r);
        LOG.info("trace recording {} started by {}: {} for {} s, at most {} bytes{}", id, createdBy,
                describe(effective), duration.toSeconds(), maxBytes, effective.payloads() ? ", with payloads" : "");
        return r.view();
    }

    @Override
    public List<TraceRecordings.Recording> list() {
        return recordings.values().stream()
                .sorted(Comparator.comparing((TraceRecording r) -> r.createdAt).reversed().thenComparing(r -> r.id))
                .map(TraceRecording::view).toList();
    }

    @Override
    public TraceRecordings.Recording get(String id) {
        TraceRecording r = recordings.get(id);
        return r == null ? null : r.view();
    }

    @Override
    public TraceRecordings.Recording stop(String id, String by) {
        TraceRecording r = recordings.get(id);
        if (r == null) {
            return null;
        }
        stop(r, "stopped by " + by);
        return r.view();
    }

    @Override
    public boolean delete(String id) throws IOException {
        TraceRecording r = recordings.get(id);
        if (r == null) {
            return false;
        }
        stop(r, "deleted");
        // The writer closes the file first; deleting after that task keeps the two from racing.
        try {
            writer.submit(() -> {
                deleteFiles(r);
                return null;
            }).get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while deleting");
        } catch (java.util.concurrent.TimeoutException | RejectedExecutionException e) {
            throw new IOException("the trace writer is busy; try again");
        }
        recordings.remove(id);
        return true;
    }

    @Override
    public Path file(String id) {
        TraceRecording r = recordings.get(id);
        return r == null ? null : r.file;
    }

    /** Stops a running recording for {@code reason}; its tap goes and the writer closes its file. */
    void stop(TraceRecording r, String reason) {
        if (!r.markStopped(reason, clock.instant())) {
            return;
        }
        observers.removeTap(r);
        LOG.info("trace recording {} stopped: {} ({} packets, {} bytes)", r.id, reason, r.view().packets(),
                r.view().bytes());
        try {
            writer.execute(r::close);
        } catch (RejectedExecutionException e) {
            // the queue is full; the periodic flush closes what is stopped
        }
    }

    /** From a connection's event loop: hands one packet to the writer, or counts it as dropped. */
    private void enqueue(TraceRecording.Queued q) {
        try {
            writer.execute(() -> write(q));
        } catch (RejectedExecutionException e) {
            q.recording().dropped();
        }
    }

    /** Writer thread. */
    private void write(TraceRecording.Queued q) {
        TraceRecording r = q.recording();
        if (!r.running()) {
            return;
        }
        try {
            if (!r.write(q.record())) {
                stop(r, "size limit reached");
            }
        } catch (IOException e) {
            LOG.warn("trace recording {} stopped: its file {} cannot be written: {}", r.id, r.file, e.getMessage());
            stop(r, "write failed: " + e.getMessage());
        }
    }

    private void flushSoon() {
        try {
            writer.execute(this::flushAll);
        } catch (RejectedExecutionException e) {
            // the writer is busy writing; the next tick flushes
        }
    }

    /** Writer thread: makes the lines written so far visible in the files; closes what stopped meanwhile. */
    private void flushAll() {
        for (TraceRecording r : recordings.values()) {
            if (r.running()) {
                try {
                    r.flush();
                } catch (IOException e) {
                    LOG.warn("trace recording {} stopped: its file {} cannot be written: {}", r.id, r.file,
                            e.getMessage());
                    stop(r, "write failed: " + e.getMessage());
                }
            } else {
                r.close();
            }
        }
    }

    /** Deletes finished recordings past their retention, and the oldest beyond {@code max-stored}. */
    private void cleanUp() {
        Instant cutoff = clock.instant().minus(settings.retention());
        List<TraceRecording> finished = recordings.values().stream().filter(r -> !r.running())
                .sorted(Comparator.comparing((TraceRecording r) -> r.createdAt).reversed()).toList();
        for (int i = 0; i < finished.size(); i++) {
            TraceRecording r = finished.get(i);
            if (i >= settings.maxStored() || r.endsAt().isBefore(cutoff)) {
                try {
                    delete(r.id);
                } catch (IOException e) {
                    LOG.warn("old trace recording {} could not be deleted: {}", r.id, e.getMessage());
                }
            }
        }
    }

    private static void deleteFiles(TraceRecording r) throws IOException {
        Files.deleteIfExists(r.file);
        Files.deleteIfExists(r.meta);
    }

    private static String describe(Request r) {
        List<String> parts = new ArrayList<>();
        if (r.clientId() != null) {
            parts.add("client ids matching '" + r.clientId() + "'");
        }
        if (r.username() != null) {
            parts.add("user '" + r.username() + "'");
        }
        if (r.address() != null) {
            parts.add("addresses in " + r.address());
        }
        if (r.topic() != null) {
            parts.add("topics matching '" + r.topic() + "'");
        }
        if (!r.packetTypes().isEmpty()) {
            parts.add("packets " + String.join(",", r.packetTypes()));
        }
        return String.join(", ", parts);
    }

    private static String newId() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Stops every running recording ("broker shut down") and lets the writer finish its queue. */
    @Override
    public void close() {
        tasks.forEach(t -> t.cancel(false));
        for (TraceRecording r : recordings.values()) {
            stop(r, "broker shut down");
        }
        writer.shutdown();
        try {
            if (!writer.awaitTermination(5, TimeUnit.SECONDS)) {
                writer.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            writer.shutdownNow();
        }
    }
}
