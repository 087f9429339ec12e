package io.rampart.server.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rampart.admin.broker.TraceRecordings;
import io.rampart.server.observe.PacketRecord;
import io.rampart.server.observe.PacketSink;
import io.rampart.server.observe.PacketTap;
import io.rampart.server.observe.TapSubject;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * One trace recording: a {@link PacketTap} for the connections it selects while it runs, and its file. Packets are
 * handed to the recorder's writer thread; only that thread touches the file and the byte and packet counts.
 */
final class TraceRecording implements PacketTap {

    final String id;
    final TraceRecordings.Request request;
    final String createdBy;
    final Instant createdAt;
    final long maxBytes;
    final Path file;
    final Path meta;
    private final RecordingFilter filter;
    private final Consumer<Queued> writer;
    private final LongAdder dropped = new LongAdder();
    private volatile boolean running;
    private volatile Instant endsAt;
    private volatile String stopReason;
    private volatile long bytes;
    private volatile long packets;
    private OutputStream out;
    /** Whether the file is closed and the final metadata written (writer thread). */
    private boolean closed;
    ScheduledFuture<?> timer;

    /** A packet on its way to the writer thread. */
    record Queued(TraceRecording recording, PacketRecord record) {
    }

    private TraceRecording(String id, TraceRecordings.Request request, RecordingFilter filter, String createdBy,
                      Instant createdAt, long maxBytes, Path dir, Consumer<Queued> writer) {
        this.id = id;
        this.request = request;
        this.filter = filter;
        this.createdBy = createdBy;
        this.createdAt = createdAt;
        this.maxBytes = maxBytes;
        this.file = dir.resolve(id + ".jsonl");
        this.meta = dir.resolve(id + ".json");
        this.writer = writer;
    }

    /** A new recording, running until {@code endsAt}; its file is created empty. */
    static TraceRecording start(String id, TraceRecordings.Request request, RecordingFilter filter, String createdBy,
                           Instant now, Instant endsAt, long maxBytes, Path dir, Consumer<Queued> writer)
            throws IOException {
        TraceRecording r = new TraceRecording(id, request, filter, createdBy, now, maxBytes, dir, writer);
        r.out = new BufferedOutputStream(Files.newOutputStream(r.file, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), 64 * 1024);
        TraceFiles.ownerOnly(r.file);
        r.endsAt = endsAt;
        r.running = true;
        r.writeMeta();
        return r;
    }

    /** A finished recording read back from its metadata file. */
    static TraceRecording load(JsonNode n, Path dir) {
        Set<String> types = new LinkedHashSet<>();
        n.path("packetTypes").forEach(t -> types.add(t.asText()));
        TraceRecordings.Request request = new TraceRecordings.Request(text(n, "name"), text(n, "clientId"),
                text(n, "username"), text(n, "address"), text(n, "topic"), types,
                Duration.ofMillis(n.path("durationMillis").asLong()), n.path("maxBytes").asLong(),
                n.path("payloads").asBoolean());
        TraceRecording r = new TraceRecording(n.path("id").asText(), request, null, text(n, "createdBy"),
                Instant.parse(n.path("createdAt").asText()), n.path("maxBytes").asLong(), dir, q -> { });
        r.endsAt = Instant.parse(n.path("endsAt").asText());
        r.stopReason = text(n, "stopReason") == null ? "broker stopped" : text(n, "stopReason");
        r.bytes = n.path("bytes").asLong();
        r.packets = n.path("packets").asLong();
        r.dropped.add(n.path("dropped").asLong());
        r.closed = true;
        return r;
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    boolean running() {
        return running;
    }

    Instant endsAt() {
        return endsAt;
    }

    /** Marks the recording stopped (sinks close at once); the writer closes the file. {@code false} if it was. */
    synchronized boolean markStopped(String reason, Instant when) {
        if (!running) {
            return false;
        }
        running = false;
        stopReason = reason;
        endsAt = when;
        if (timer != null) {
            timer.cancel(false);
        }
        return true;
    }

    void dropped() {
        dropped.increment();
    }

    // ------------------------------------------------------------------ tap

    @Override
    public PacketSink open(TapSubject subject) {
        return running && filter.selects(subject) ? new Sink() : null;
    }

    private final class Sink implements PacketSink {
        @Override
        public boolean wants(String type) {
            return running && filter.wants(type);
        }

        @Override
        public boolean payloads() {
            return request.payloads();
        }

        @Override
        public void packet(PacketRecord record) {
            if (running && filter.passes(record)) {
                writer.accept(new Queued(TraceRecording.this, record));
            }
        }

        @Override
        public boolean isOpen() {
            return running;
        }
    }

    // ------------------------------------------------------------------ writer thread

    /**
     * Writes one packet (writer thread). Returns {@code false} when it would pass the size bound: the caller stops
     * the recording. Throws when the file cannot be written (a full disk).
     */
    boolean write(PacketRecord record) throws IOException {
        if (out == null) {
            return true;
        }
        byte[] line = TraceLine.format(record);
        if (bytes + line.length > maxBytes) {
            return false;
        }
        out.write(line);
        bytes += line.length;
        packets++;
        return true;
    }

    void flush() throws IOException {
        if (out != null) {
            out.flush();
        }
    }

    /** Closes the file and writes the final metadata (writer thread); never throws. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                // the metadata below still records why the recording ended
            }
            out = null;
        }
        try {
            writeMeta();
        } catch (IOException e) {
            // a full disk: the recording's state stays known in memory until the broker restarts
        }
    }

    private void writeMeta() throws IOException {
        ObjectNode n = TraceLine.JSON.createObjectNode();
        n.put("id", id);
        n.put("name", request.name());
        n.put("clientId", request.clientId());
        n.put("username", request.username());
        n.put("address", request.address());
        n.put("topic", request.topic());
        ArrayNode types = n.putArray("packetTypes");
        request.packetTypes().forEach(types::add);
        n.put("durationMillis", request.duration() == null ? 0 : request.duration().toMillis());
        n.put("payloads", request.payloads());
        n.put("createdBy", createdBy);
        n.put("createdAt", createdAt.toString());
        n.put("maxBytes", maxBytes);
        n.put("state", running ? "recording" : "stopped");
        n.put("endsAt", endsAt.toString());
        n.put("stopReason", stopReason);
        n.put("bytes", bytes);
        n.put("packets", packets);
        n.put("dropped", dropped.sum());
        Path tmp = meta.resolveSibling(meta.getFileName() + ".tmp");
        Files.write(tmp, TraceLine.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
        TraceFiles.ownerOnly(tmp);
        Files.move(tmp, meta, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    TraceRecordings.Recording view() {
        return new TraceRecordings.Recording(id, request, createdBy, createdAt, running ? "recording" : "stopped",
                endsAt, stopReason, maxBytes, bytes, packets, dropped.sum());
    }
}
