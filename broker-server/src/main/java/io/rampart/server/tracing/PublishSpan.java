package io.rampart.server.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.rampart.core.message.MessageTrace;

/**
 * The span of one recorded PUBLISH from a client, from the packet to its acknowledgement (PUBACK, PUBREC; for QoS 0
 * the end of routing). Its children are {@code authorize} (the session's compiled permissions) and {@code route}
 * (the fan-out), under which each subscriber's delivery has an {@code enqueue} span and, once its connection writes
 * it, a {@code deliver} span. Lives on the publisher's event loop.
 */
public final class PublishSpan {

    private final Tracing tracing;
    private final Span span;
    private final Context context;
    private Span authorize;
    private FanoutSpans fanout;
    private String outcome;

    PublishSpan(Tracing tracing, Span span) {
        this.tracing = tracing;
        this.span = span;
        this.context = Context.root().with(span);
    }

    /** The topic, once topic aliases are resolved. */
    public void topic(String topic) {
        span.setAttribute(TraceAttributes.DESTINATION, topic);
    }

    /** The permission check starts. */
    public void authorizing() {
        authorize = tracing.tracer().spanBuilder("authorize").setParent(context).setSpanKind(SpanKind.INTERNAL)
                .startSpan();
    }

    /** The permission check answered; {@code manager} and {@code realm} admitted the session. */
    public void authorized(boolean allowed, String manager, String realm) {
        if (authorize == null) {
            return;
        }
        authorize.setAttribute(TraceAttributes.OUTCOME, allowed ? "allowed" : "denied");
        if (manager != null) {
            authorize.setAttribute(TraceAttributes.MANAGER, manager);
        }
        if (realm != null) {
            authorize.setAttribute(TraceAttributes.REALM, realm);
        }
        authorize.end();
        if (!allowed) {
            outcome = "denied";
        }
    }

    /** Routing starts: the returned trace goes with the message through the fan-out. */
    public MessageTrace routing() {
        fanout = new FanoutSpans(tracing, tracing.tracer().spanBuilder("route").setParent(context)
                .setSpanKind(SpanKind.INTERNAL).startSpan());
        return fanout;
    }

    /** Routing ended: the message was queued for {@code receivers} sessions. */
    public void routed(int receivers) {
        if (fanout != null) {
            fanout.end(receivers);
        }
        span.setAttribute(TraceAttributes.RECEIVERS, receivers);
        outcome = "routed";
    }

    /** Answered with {@code reasonCode} (PUBACK or PUBREC; MQTT 3 knows only success). */
    public void acknowledged(int reasonCode) {
        span.setAttribute(TraceAttributes.REASON_CODE, reasonCode);
        if (outcome == null) {
            outcome = reasonCode >= 0x80 ? "refused" : "acknowledged";
        }
    }

    /** The PUBLISH broke the protocol: the connection closes with {@code reasonCode}. */
    public void violation(int reasonCode, String reason) {
        span.setAttribute(TraceAttributes.REASON_CODE, reasonCode);
        span.setAttribute(TraceAttributes.REASON, reason);
        outcome = "protocol-error";
    }

    /** The PUBLISH is handled. */
    public void end() {
        if (outcome != null) {
            span.setAttribute(TraceAttributes.OUTCOME, outcome);
        }
        span.end();
    }
}
