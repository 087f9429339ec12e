package io.rampart.core.message;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * An application message as the broker routes it. Immutable: the payload array is owned by the message
 * and never modified, so one instance is shared by every subscriber it is delivered to (fan-out never
 * copies the payload).
 *
 * <p>Expiry is kept as an absolute deadline on the {@link System#nanoTime()} clock so that the remaining
 * interval can be forwarded to subscribers.
 *
 * <p>The one mutable part is a count of the session queues that hold the message, kept by the memory budget so that a
 * payload shared by many deliveries is counted once ({@link #addDeliveries}); it is not part of the message's value.
 */
public final class Message {

    public static final long NO_EXPIRY = Long.MAX_VALUE;

    private static final VarHandle DELIVERIES;

    static {
        try {
            DELIVERIES = MethodHandles.lookup().findVarHandle(Message.class, "deliveries", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String topic;
    private final int qos;
    private final boolean retain;
    private final byte[] payload;
    private final MessageProperties properties;
    private final String publisherId;
    private final long expiryDeadlineNanos;
    /** Queued or in-flight deliveries of this message (memory budget); updated through {@link #DELIVERIES}. */
    @SuppressWarnings("unused")
    private volatile int deliveries;
    private final MessageTrace trace;

    public Message(String topic, int qos, boolean retain, byte[] payload, MessageProperties properties,
                   String publisherId, long expiryDeadlineNanos) {
        this(topic, qos, retain, payload, properties, publisherId, expiryDeadlineNanos, null);
    }

    private Message(String topic, int qos, boolean retain, byte[] payload, MessageProperties properties,
                    String publisherId, long expiryDeadlineNanos, MessageTrace trace) {
        this.topic = Objects.requireNonNull(topic, "topic");
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("QoS must be 0, 1 or 2: " + qos);
        }
        this.qos = qos;
        this.retain = retain;
        this.payload = Objects.requireNonNull(payload, "payload");
        this.properties = properties == null ? MessageProperties.NONE : properties;
        this.publisherId = publisherId;
        this.expiryDeadlineNanos = expiryDeadlineNanos;
        this.trace = trace;
    }

    /** A message with an expiry interval in seconds (0 or negative = never expires) counted from now. */
    public static Message of(String topic, int qos, boolean retain, byte[] payload, MessageProperties properties,
                             String publisherId, long expiryIntervalSeconds) {
        long deadline = expiryIntervalSeconds > 0
                ? System.nanoTime() + expiryIntervalSeconds * 1_000_000_000L
                : NO_EXPIRY;
        return new Message(topic, qos, retain, payload, properties, publisherId, deadline);
    }

    public String topic() {
        return topic;
    }

    public int qos() {
        return qos;
    }

    public boolean retain() {
        return retain;
    }

    /** The payload; callers must not modify it. */
    public byte[] payload() {
        return payload;
    }

    public MessageProperties properties() {
        return properties;
    }

    /** Client id of the publisher, or {@code null} for messages the broker itself originates. */
    public String publisherId() {
        return publisherId;
    }

    public long expiryDeadlineNanos() {
        return expiryDeadlineNanos;
    }

    /** The distributed trace this message is recorded in, or {@code null} (almost always). */
    public MessageTrace trace() {
        return trace;
    }

    /** This message recorded in {@code newTrace} ({@code null}: in none). */
    public Message withTrace(MessageTrace newTrace) {
        return newTrace == trace ? this
                : new Message(topic, qos, retain, payload, properties, publisherId, expiryDeadlineNanos, newTrace);
    }

    public boolean hasExpiry() {
        return expiryDeadlineNanos != NO_EXPIRY;
    }

    public boolean isExpired(long nowNanos) {
        return expiryDeadlineNanos != NO_EXPIRY && nowNanos - expiryDeadlineNanos >= 0;
    }

    /** Remaining expiry interval in whole seconds (rounded up, at least 1 while not expired), or -1 if none. */
    public long remainingExpirySeconds(long nowNanos) {
        if (expiryDeadlineNanos == NO_EXPIRY) {
            return -1;
        }
        long remaining = expiryDeadlineNanos - nowNanos;
        if (remaining <= 0) {
            return 0;
        }
        return (remaining + 999_999_999L) / 1_000_000_000L;
    }

    /**
     * Adds {@code delta} to the count of deliveries of this message that session queues hold (memory budget only).
     *
     * @return the count before
     */
    public int addDeliveries(int delta) {
        return (int) DELIVERIES.getAndAdd(this, delta);
    }

    public Message withRetain(boolean newRetain) {
        return newRetain == retain ? this
                : new Message(topic, qos, newRetain, payload, properties, publisherId, expiryDeadlineNanos, trace);
    }

    public Message withQos(int newQos) {
        return newQos == qos ? this
                : new Message(topic, newQos, retain, payload, properties, publisherId, expiryDeadlineNanos, trace);
    }

    @Override
    public String toString() {
        return "Message[topic=" + topic + ", qos=" + qos + ", retain=" + retain + ", bytes=" + payload.length + "]";
    }
}
