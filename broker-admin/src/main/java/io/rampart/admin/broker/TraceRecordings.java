package io.rampart.admin.broker;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The broker's trace recordings as the admin plane sees them: each selects clients and/or topics and writes the
 * matching MQTT packets as JSON lines under {@code <data-dir>/traces/}, bounded in bytes and time.
 */
public interface TraceRecordings {

    /**
     * Starts a recording.
     *
     * @throws IllegalArgumentException naming the field when the request is invalid
     * @throws IllegalStateException    when the most recordings allowed at once are running
     * @throws IOException              when the recording's file cannot be created
     */
    Recording start(Request request, String createdBy) throws IOException;

    /** Every recording, running and finished, newest first. */
    List<Recording> list();

    /** One recording, or {@code null}. */
    Recording get(String id);

    /** Stops a running recording (a finished one stays as it is); {@code null} when there is none. */
    Recording stop(String id, String by);

    /** Stops (when running) and deletes a recording with its file; {@code false} when there is none. */
    boolean delete(String id) throws IOException;

    /** The recording's file (JSON lines), or {@code null} when there is none. */
    Path file(String id);

    /**
     * What a recording selects. A packet is recorded when its connection matches every client criterion given
     * (client-id regex, user name, address network) and, when a topic filter is given, its topic or filters match
     * it (packets without a topic then only when some client criterion is given too).
     *
     * @param name        a label for people, or {@code null}
     * @param clientId    a regular expression the whole client id must match, or {@code null}
     * @param username    the exact CONNECT user name, or {@code null}
     * @param address     an address or CIDR network, or {@code null}
     * @param topic       an MQTT topic filter, or {@code null}
     * @param packetTypes the packet types to record ({@code PUBLISH}, ...); empty: all
     * @param duration    how long to record, or {@code null} for the configured default
     * @param maxBytes    the most to write, or {@code null} for the configured maximum
     * @param payloads    whether to record payloads, correlation data and user properties
     */
    record Request(String name, String clientId, String username, String address, String topic,
                   Set<String> packetTypes, Duration duration, Long maxBytes, boolean payloads) {
    }

    /**
     * One recording.
     *
     * @param state      {@code recording} or {@code stopped}
     * @param endsAt     when it stops by itself (running) or stopped (finished)
     * @param stopReason why it stopped ({@code duration reached}, {@code size limit reached}, {@code stopped by
     *                   NAME}, {@code write failed: ...}, {@code broker shut down}), {@code null} while running
     * @param bytes      bytes written
     * @param packets    packets written
     * @param dropped    packets not written because the writer could not keep up
     */
    record Recording(String id, Request request, String createdBy, Instant createdAt, String state, Instant endsAt,
                     String stopReason, long maxBytes, long bytes, long packets, long dropped) {
    }
}
