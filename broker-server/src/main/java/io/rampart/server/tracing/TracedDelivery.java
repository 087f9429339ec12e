package io.rampart.server.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.rampart.core.message.DeliveryTrace;

/**
 * One recorded message on its way to one session: the {@code enqueue} span (ended when the session took or refused
 * the message) and the parent of the {@code deliver} span that the subscriber's connection starts when it writes the
 * PUBLISH, on its own event loop, possibly much later (an offline session's queue).
 */
public final class TracedDelivery implements DeliveryTrace {

    private final Tracing tracing;
    private final Span enqueue;
    private final String clientId;

    TracedDelivery(Tracing tracing, Span enqueue, String clientId) {
        this.tracing = tracing;
        this.enqueue = enqueue;
        this.clientId = clientId;
    }

    @Override
    public void offered(boolean queued) {
        enqueue.setAttribute(TraceAttributes.QUEUED, queued);
        enqueue.end();
    }

    /**
     * The subscriber's connection is writing the PUBLISH: starts its {@code deliver} span.
     *
     * @param dup whether this is a resend (after a reconnect)
     */
    public DeliverySpan deliver(String topic, int qos, int packetId, boolean dup) {
        var builder = tracing.tracer().spanBuilder("deliver").setSpanKind(SpanKind.PRODUCER)
                .setParent(Context.root().with(enqueue))
                .setAttribute(TraceAttributes.MESSAGING_SYSTEM, "mqtt")
                .setAttribute(TraceAttributes.OPERATION_TYPE, "send")
                .setAttribute(TraceAttributes.DESTINATION, topic)
                .setAttribute(TraceAttributes.CLIENT_ID, clientId)
                .setAttribute(TraceAttributes.QOS, qos);
        if (qos > 0) {
            builder.setAttribute(TraceAttributes.PACKET_ID, packetId).setAttribute(TraceAttributes.DUP, dup);
        }
        return new DeliverySpan(builder.startSpan());
    }
}
