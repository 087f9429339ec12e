package io.rampart.admin.broker;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** The broker's recent security detections, newest first, bounded in number. */
public interface DetectionLog {

    /** Detections newest first, of {@code rule} when not {@code null}, none older than {@code since}. */
    List<Detection> list(String rule, Instant since);

    /** Marks a detection as handled; {@code null} when there is none with that id. */
    Detection acknowledge(String id, String by, String note);

    /**
     * One detection.
     *
     * @param rule       the rule that fired, e.g. {@code connection-flapping}
     * @param keyKind    what {@code key} is: {@code address} (an address or network), {@code username},
     *                   {@code client-id}
     * @param key        the address network, user name or client id the rule counted for
     * @param count      what the rule counted within {@code window} (events, distinct addresses or new topics)
     * @param summary    one line for people, never an address
     * @param addresses  the addresses involved, when the rule knows them (shown only with {@code data:address})
     * @param banId      the id of the temporary ban it set, or {@code null}
     * @param banExpires when that ban ends, or {@code null}
     */
    record Detection(String id, Instant time, String rule, String keyKind, String key, long count, Duration window,
                     String summary, List<String> addresses, String banId, Instant banExpires, String acknowledgedBy,
                     Instant acknowledgedAt, String note) {
    }

    DetectionLog NONE = new DetectionLog() {
        @Override
        public List<Detection> list(String rule, Instant since) {
            return List.of();
        }

        @Override
        public Detection acknowledge(String id, String by, String note) {
            return null;
        }
    };
}
