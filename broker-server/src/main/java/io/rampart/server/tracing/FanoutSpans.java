package io.rampart.server.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.rampart.core.message.DeliveryTrace;
import io.rampart.core.message.MessageTrace;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code route} span of a recorded message and the trace the message carries through the fan-out: each session
 * it is offered to gets an {@code enqueue} span, up to {@code tracing.delivery-spans} per message (a message for
 * 100 000 subscribers must not flood the export queue); the others are counted on the {@code route} span.
 */
final class FanoutSpans implements MessageTrace {

    private final Tracing tracing;
    private final Span route;
    private final Context context;
    /** Sessions the message was offered to so far; the first {@code tracing.delivery-spans} get a span. */
    private final AtomicInteger offered = new AtomicInteger();

    FanoutSpans(Tracing tracing, Span route) {
        this.tracing = tracing;
        this.route = route;
        this.context = Context.root().with(route);
    }

    @Override
    public DeliveryTrace offering(String clientId, int qos) {
        if (offered.incrementAndGet() > tracing.deliverySpans()) {
            return null;
        }
        Span enqueue = tracing.tracer().spanBuilder("enqueue").setParent(context).setSpanKind(SpanKind.INTERNAL)
                .setAttribute(TraceAttributes.CLIENT_ID, clientId)
                .setAttribute(TraceAttributes.QOS, qos)
                .startSpan();
        return new TracedDelivery(tracing, enqueue, clientId);
    }

    void end(int receivers) {
        route.setAttribute(TraceAttributes.RECEIVERS, receivers);
        int notTraced = offered.get() - tracing.deliverySpans();
        if (notTraced > 0) {
            route.setAttribute(TraceAttributes.UNTRACED_DELIVERIES, notTraced);
        }
        route.end();
    }
}
