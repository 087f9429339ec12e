package io.rampart.server.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.rampart.security.pipeline.ChainTrace;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The span of one recorded CONNECT, from the packet to CONNACK. Each authentication and authorization manager the
 * security pipeline asked becomes a child span ({@code authenticate <manager>}, {@code authorize <manager>}) with
 * its realm, its answer and the time it ran; nothing the client presented as a credential is recorded.
 */
public final class ConnectSpan implements ChainTrace {

    private final Span span;
    private final Context context;
    private final Tracing tracing;
    private final long startEpochNanos;
    private final long startNanoTime;

    ConnectSpan(Tracing tracing, Span span, long startEpochNanos, long startNanoTime) {
        this.tracing = tracing;
        this.span = span;
        this.context = Context.root().with(span);
        this.startEpochNanos = startEpochNanos;
        this.startNanoTime = startNanoTime;
    }

    @Override
    public void answered(Chain chain, String manager, String realm, Outcome outcome, String reason, long startedNanos,
                         long endedNanos) {
        String verb = chain == Chain.AUTHENTICATION ? "authenticate" : "authorize";
        Span child = tracing.tracer().spanBuilder(verb + " " + manager).setParent(context)
                .setSpanKind(SpanKind.INTERNAL)
                .setStartTimestamp(epochNanos(startedNanos), TimeUnit.NANOSECONDS)
                .setAttribute(TraceAttributes.CHAIN, chain.name().toLowerCase(Locale.ROOT))
                .setAttribute(TraceAttributes.MANAGER, manager)
                .setAttribute(TraceAttributes.OUTCOME, outcome.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .startSpan();
        if (realm != null) {
            child.setAttribute(TraceAttributes.REALM, realm);
        }
        if (reason != null) {
            child.setAttribute(TraceAttributes.REASON, reason);
        }
        if (outcome == Outcome.UNAVAILABLE) {
            child.setStatus(StatusCode.ERROR, "manager unavailable");
        }
        child.end(epochNanos(Math.max(startedNanos, endedNanos)), TimeUnit.NANOSECONDS);
    }

    /**
     * CONNACK accepted the client.
     *
     * @param identity who the client was authenticated as, or {@code null}
     */
    public void accepted(String identity, String manager, String realm, boolean sessionPresent) {
        span.setAttribute(TraceAttributes.OUTCOME, "accepted");
        span.setAttribute(TraceAttributes.REASON_CODE, 0L);
        if (identity != null) {
            span.setAttribute(TraceAttributes.IDENTITY, identity);
        }
        decided(manager, realm);
        span.setAttribute("mqtt.session_present", sessionPresent);
        span.end();
    }

    /** The CONNECT was refused with {@code reasonCode} (MQTT 5 reason code or MQTT 3 return code). */
    public void refused(int reasonCode, String reason) {
        span.setAttribute(TraceAttributes.OUTCOME, "refused");
        span.setAttribute(TraceAttributes.REASON_CODE, reasonCode);
        if (reason != null) {
            span.setAttribute(TraceAttributes.REASON, reason);
        }
        span.end();
    }

    /** The connection closed before the CONNECT was decided (the decision arrived too late to matter). */
    public void abandoned() {
        span.setAttribute(TraceAttributes.OUTCOME, "abandoned");
        span.end();
    }

    private void decided(String manager, String realm) {
        if (manager != null) {
            span.setAttribute(TraceAttributes.MANAGER, manager);
        }
        if (realm != null) {
            span.setAttribute(TraceAttributes.REALM, realm);
        }
    }

    private long epochNanos(long nanoTime) {
        return startEpochNanos + (nanoTime - startNanoTime);
    }
}
