package io.rampart.server.tracing;

import io.netty.channel.ChannelPromise;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.rampart.core.message.MessageProperties;
import io.rampart.core.session.DropReason;

import java.util.Locale;

/**
 * The {@code deliver} span of one PUBLISH written to a subscriber. It ends when the PUBLISH has been written to the
 * connection's socket, at every QoS: the subscriber's PUBACK or PUBCOMP is not waited for (the subscriber's own span,
 * a child of this one through the forwarded {@code traceparent}, covers what it does with the message). A delivery
 * the connection drops instead (expired, no longer permitted, too large for the subscriber) ends with that reason.
 */
public final class DeliverySpan {

    private final Span span;

    DeliverySpan(Span span) {
        this.span = span;
    }

    /** {@code properties} carrying this delivery's trace context, for an MQTT 5 subscriber. */
    public MessageProperties forward(MessageProperties properties) {
        span.setAttribute(TraceAttributes.CONTEXT_FORWARDED, true);
        return TraceContextProperties.inject(properties, span.getSpanContext());
    }

    /**
     * The trace context is not forwarded: the subscriber speaks MQTT 3 (no user properties), or the PUBLISH would
     * exceed its maximum packet size with it.
     */
    public void notForwarded() {
        span.setAttribute(TraceAttributes.CONTEXT_FORWARDED, false);
    }

    /** The connection dropped this delivery instead of writing it. */
    public void dropped(DropReason reason) {
        span.setAttribute(TraceAttributes.OUTCOME, "dropped");
        span.setAttribute(TraceAttributes.REASON, reason.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        span.end();
    }

    /** Ends the span when {@code promise} (the PUBLISH's write) completes; returns it. */
    public ChannelPromise written(ChannelPromise promise) {
        promise.addListener(f -> {
            if (f.isSuccess()) {
                span.setAttribute(TraceAttributes.OUTCOME, "written");
            } else {
                span.setAttribute(TraceAttributes.OUTCOME, "write-failed");
                span.setStatus(StatusCode.ERROR, String.valueOf(f.cause()));
            }
            span.end();
        });
        return promise;
    }
}
