package io.rampart.server.tracing;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.rampart.core.message.MessageProperties;
import io.rampart.core.message.UserProperty;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TraceContextPropertiesTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT = "00f067aa0ba902b7";
    private static final String SAMPLED = "00-" + TRACE + "-" + PARENT + "-01";

    private static MqttProperties userProperties(String... pairs) {
        MqttProperties properties = new MqttProperties();
        for (int i = 0; i < pairs.length; i += 2) {
            properties.add(new MqttProperties.UserProperty(pairs[i], pairs[i + 1]));
        }
        return properties;
    }

    private static SpanContext extracted(String... pairs) {
        TraceContextProperties.Incoming incoming = TraceContextProperties.extract(userProperties(pairs));
        assertThat(incoming).as("a traceparent was present").isNotNull();
        return incoming.context();
    }

    @Test
    void extract_withoutTraceparent_isNull() {
        assertThat(TraceContextProperties.extract(MqttProperties.NO_PROPERTIES)).isNull();
        assertThat(TraceContextProperties.extract(userProperties("site", "plant-7", "tracestate", "a=b"))).isNull();
    }

    @Test
    void extract_ofAValidTraceparent_isTheRemoteParent_withItsTracestate() {
        SpanContext context = extracted("traceparent", SAMPLED, "tracestate", "vendor=abc");
        assertThat(context.getTraceId()).isEqualTo(TRACE);
        assertThat(context.getSpanId()).isEqualTo(PARENT);
        assertThat(context.isSampled()).isTrue();
        assertThat(context.isRemote()).isTrue();
        assertThat(context.getTraceState().get("vendor")).isEqualTo("abc");
        assertThat(extracted("traceparent", "00-" + TRACE + "-" + PARENT + "-00").isSampled()).isFalse();
    }

    @Test
    void extract_ofAnInvalidTraceparent_continuesNothing() {
        assertThat(extracted("traceparent", "00-00000000000000000000000000000000-" + PARENT + "-01")).isNull();
        assertThat(extracted("traceparent", "00-" + TRACE + "-0000000000000000-01")).isNull();
        assertThat(extracted("traceparent", "ff-" + TRACE + "-" + PARENT + "-01")).isNull();
        assertThat(extracted("traceparent", "00-" + TRACE.toUpperCase() + "-" + PARENT + "-01")).isNull();
        assertThat(extracted("traceparent", "00-" + TRACE + "-" + PARENT)).isNull();
        assertThat(extracted("traceparent", "not a trace context")).isNull();
        assertThat(extracted("traceparent", "")).isNull();
        assertThat(extracted("traceparent", SAMPLED + "-" + "x".repeat(60_000))).isNull();
        assertThat(extracted("traceparent", SAMPLED, "traceparent", SAMPLED)).as("twice").isNull();
    }

    @Test
    void extract_dropsATracestateLongerThanTheW3cLimit() {
        SpanContext context = extracted("traceparent", SAMPLED, "tracestate", "v=" + "a".repeat(600));
        assertThat(context.getTraceId()).isEqualTo(TRACE);
        assertThat(context.getTraceState().isEmpty()).isTrue();
    }

    @Test
    void inject_replacesTheTraceparentWhereItStands_andKeepsTheOtherProperties() {
        SpanContext span = SpanContext.create(TRACE, "1111111111111111", TraceFlags.getSampled(),
                TraceState.builder().put("vendor", "abc").build());
        MessageProperties in = new MessageProperties(1, "text/plain", null, null, List.of(
                new UserProperty("traceparent", SAMPLED), new UserProperty("site", "plant-7"),
                new UserProperty("tracestate", "vendor=abc")));

        MessageProperties out = TraceContextProperties.inject(in, span);

        assertThat(out.userProperties()).containsExactly(
                new UserProperty("traceparent", "00-" + TRACE + "-1111111111111111-01"),
                new UserProperty("site", "plant-7"),
                new UserProperty("tracestate", "vendor=abc"));
        assertThat(out.payloadFormatIndicator()).isEqualTo(1);
        assertThat(out.contentType()).isEqualTo("text/plain");
    }

    @Test
    void traceparent_isWhatTheW3cPropagatorWrites() {
        for (TraceFlags flags : List.of(TraceFlags.getSampled(), TraceFlags.getDefault())) {
            SpanContext span = SpanContext.create(TRACE, PARENT, flags, TraceState.getDefault());
            Map<String, String> written = new HashMap<>();
            W3CTraceContextPropagator.getInstance().inject(Context.root().with(Span.wrap(span)), written, Map::put);

            assertThat(TraceContextProperties.traceparent(span)).isEqualTo(written.get("traceparent"));
        }
    }

    @Test
    void inject_appendsTheContext_andRemovesATracestateTheTraceDoesNotHave() {
        SpanContext span = SpanContext.create(TRACE, "2222222222222222", TraceFlags.getSampled(), TraceState.getDefault());

        assertThat(TraceContextProperties.inject(MessageProperties.NONE, span).userProperties())
                .containsExactly(new UserProperty("traceparent", "00-" + TRACE + "-2222222222222222-01"));
        MessageProperties withState = new MessageProperties(null, null, null, null, List.of(
                new UserProperty("tracestate", "forged=1"), new UserProperty("site", "plant-7")));
        assertThat(TraceContextProperties.inject(withState, span).userProperties()).containsExactly(
                new UserProperty("site", "plant-7"),
                new UserProperty("traceparent", "00-" + TRACE + "-2222222222222222-01"));
    }
}
