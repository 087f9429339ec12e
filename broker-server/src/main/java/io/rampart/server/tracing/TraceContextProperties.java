package io.rampart.server.tracing;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.rampart.core.message.MessageProperties;
import io.rampart.core.message.UserProperty;

import java.util.ArrayList;
import java.util.List;

/**
 * W3C trace context in MQTT 5 user properties ({@code traceparent}, {@code tracestate}, names in lower case):
 * read from a client's PUBLISH, written into the PUBLISH a subscriber receives. Validation follows the W3C rules as
 * OpenTelemetry's propagator implements them: a {@code traceparent} that is malformed, has an all-zero id or appears
 * twice is not continued, and then its {@code tracestate} is ignored too; a {@code tracestate} longer than
 * {@value #MAX_TRACESTATE} characters is dropped.
 */
final class TraceContextProperties {

    static final String TRACEPARENT = "traceparent";
    static final String TRACESTATE = "tracestate";
    /** W3C: vendors may discard a tracestate longer than this. */
    static final int MAX_TRACESTATE = 512;

    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

    /**
     * What a PUBLISH said about its trace.
     *
     * @param context the remote parent to continue, or {@code null} when the {@code traceparent} was invalid
     */
    record Incoming(SpanContext context) {
    }

    private TraceContextProperties() {
    }

    /** The trace context of a PUBLISH: {@code null} when it has no {@code traceparent} user property. */
    static Incoming extract(MqttProperties properties) {
        if (properties == null || properties.isEmpty()) {
            return null;
        }
        List<? extends MqttProperties.MqttProperty> userProperties =
                properties.getProperties(MqttProperties.USER_PROPERTY);
        if (userProperties.isEmpty()) {
            return null;
        }
        String traceparent = null;
        int parents = 0;
        StringBuilder tracestate = null;
        for (MqttProperties.MqttProperty<?> property : userProperties) {
            MqttProperties.StringPair pair = (MqttProperties.StringPair) property.value();
            if (TRACEPARENT.equals(pair.key)) {
                traceparent = pair.value;
                parents++;
            } else if (TRACESTATE.equals(pair.key) && pair.value != null) {
                // Several tracestate entries combine into one list, as several HTTP headers do.
                tracestate = tracestate == null ? new StringBuilder(pair.value) : tracestate.append(',').append(pair.value);
            }
        }
        if (parents == 0) {
            return null;
        }
        if (parents > 1 || traceparent == null) {
            return new Incoming(null);
        }
        String state = tracestate == null || tracestate.length() > MAX_TRACESTATE ? null : tracestate.toString();
        SpanContext context = Span.fromContext(W3C.extract(Context.root(), new Carrier(traceparent, state), GETTER))
                .getSpanContext();
        return new Incoming(context.isValid() ? context : null);
    }

    /**
     * {@code properties} with the trace context of {@code span} as its {@code traceparent} (and {@code tracestate},
     * when the trace has one): an existing entry is replaced where it stands, otherwise the entry is appended; the
     * other user properties keep their order.
     */
    static MessageProperties inject(MessageProperties properties, SpanContext span) {
        Carrier carrier = new Carrier(traceparent(span), null);
        if (!span.getTraceState().isEmpty()) {
            W3C.inject(Context.root().with(Span.wrap(span)), carrier, SETTER);
        }
        List<UserProperty> in = properties.userProperties();
        List<UserProperty> out = new ArrayList<>(in.size() + 2);
        boolean parentWritten = false;
        boolean stateWritten = false;
        for (UserProperty property : in) {
            if (TRACEPARENT.equals(property.name())) {
                if (!parentWritten) {
                    out.add(new UserProperty(TRACEPARENT, carrier.traceparent));
                    parentWritten = true;
                }
            } else if (TRACESTATE.equals(property.name())) {
                if (!stateWritten && carrier.tracestate != null) {
                    out.add(new UserProperty(TRACESTATE, carrier.tracestate));
                }
                stateWritten = true;
            } else {
                out.add(property);
            }
        }
        if (!parentWritten) {
            out.add(new UserProperty(TRACEPARENT, carrier.traceparent));
        }
        if (!stateWritten && carrier.tracestate != null) {
            out.add(new UserProperty(TRACESTATE, carrier.tracestate));
        }
        return new MessageProperties(properties.payloadFormatIndicator(), properties.contentType(),
                properties.responseTopic(), properties.correlationData(), out);
    }

    /** The W3C {@code traceparent} of {@code span}: version 00, trace id, span id, flags, in lower-case hex. */
    static String traceparent(SpanContext span) {
        return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex();
    }

    /** The two values the W3C propagator reads or writes. */
    private static final class Carrier {
        String traceparent;
        String tracestate;

        Carrier(String traceparent, String tracestate) {
            this.traceparent = traceparent;
            this.tracestate = tracestate;
        }
    }

    private static final TextMapGetter<Carrier> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Carrier carrier) {
            return List.of(TRACEPARENT, TRACESTATE);
        }

        @Override
        public String get(Carrier carrier, String key) {
            if (carrier == null) {
                return null;
            }
            return TRACEPARENT.equals(key) ? carrier.traceparent : TRACESTATE.equals(key) ? carrier.tracestate : null;
        }
    };

    private static final TextMapSetter<Carrier> SETTER = (carrier, key, value) -> {
        if (carrier == null) {
            return;
        }
        if (TRACEPARENT.equals(key)) {
            carrier.traceparent = value;
        } else if (TRACESTATE.equals(key)) {
            carrier.tracestate = value;
        }
    };
}
