package io.rampart.server.protocol;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.rampart.server.gate.ConnectDecision;
import io.rampart.server.observe.PacketRecord;
import io.rampart.server.observe.PacketSink;
import io.rampart.server.observe.PacketTap;
import io.rampart.server.observe.TapSubject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Hands the packets of one tapped connection to its {@link PacketSink}s: placed just before the protocol handler
 * ({@code packet-tap}) only on connections some {@link PacketTap} wants, so that every other connection carries
 * nothing extra. Sees each decoded packet before the protocol handler and each packet the protocol handler
 * writes; the CONNECT (which passed before the tap existed) is handed over by the connection and shown once the
 * gate has decided, with the decision. PUBLISH and SUBSCRIBE records carry the decision of the session's
 * permissions, evaluated exactly as the broker evaluates them. Removes itself when its last sink has ended.
 */
final class TapHandler extends ChannelDuplexHandler {

    private final MqttConnection connection;
    private final ListenerContext listener;
    private final int maxQos;
    private PacketSink[] sinks;
    private ChannelHandlerContext ctx;
    /** The CONNECT waiting for its decision, or {@code null}. */
    private PendingConnect pending;

    private TapHandler(MqttConnection connection, ListenerContext listener, int maxQos, PacketSink[] sinks) {
        this.connection = connection;
        this.listener = listener;
        this.maxQos = maxQos;
        this.sinks = sinks;
    }

    /** The sinks the taps open for {@code subject}; empty when none wants it. */
    static PacketSink[] open(List<PacketTap> taps, TapSubject subject) {
        List<PacketSink> opened = new ArrayList<>(1);
        for (PacketTap tap : taps) {
            PacketSink sink = tap.open(subject);
            if (sink != null) {
                opened.add(sink);
            }
        }
        return opened.toArray(new PacketSink[0]);
    }

    static TapHandler create(MqttConnection connection, ListenerContext listener, int maxQos, PacketSink[] sinks) {
        return new TapHandler(connection, listener, maxQos, sinks);
    }

    /** The taps changed: from now on these sinks (none: the handler goes). */
    void replaceSinks(PacketSink[] replacement) {
        sinks = replacement;
        if (replacement.length == 0) {
            detach();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext context) {
        connection.untapped(this);
    }

    // ------------------------------------------------------------------ CONNECT

    /** The CONNECT that made the connection tapped; recorded once it is decided. */
    void connect(MqttConnectMessage msg, String clientId) {
        if (!wants(MqttMessageType.CONNECT)) {
            return;
        }
        List<String> topics = new ArrayList<>(1);
        Map<String, Object> plain = PacketRecords.connect(msg, false, topics);
        Map<String, Object> full = PacketRecords.connect(msg, true, new ArrayList<>(1));
        pending = new PendingConnect(System.currentTimeMillis(), clientId, plain, full, topics);
    }

    /** The gate answered (the CONNECT may still be refused afterwards, e.g. for its client id). */
    void decided(ConnectDecision decision) {
        if (pending != null) {
            pending.decision = decision;
        }
    }

    /** The CONNECT was refused: {@code reason} is why. */
    void refused(String reason) {
        if (pending != null) {
            pending.refusal = reason;
            flushConnect(false);
        }
    }

    /** The CONNECT was accepted (the client id is now final, the broker's own when it assigned one). */
    void admitted(Admission a) {
        if (pending != null) {
            pending.clientId = a.clientId();
            pending.decision = a.decision();
            flushConnect(true);
        }
    }

    private void flushConnect(boolean admitted) {
        PendingConnect p = pending;
        pending = null;
        Map<String, Object> decision = PacketRecords.connectDecision(p.decision, admitted, p.refusal,
                p.clientId);
        emit(MqttMessageType.CONNECT, payloads -> {
            Map<String, Object> fields = payloads ? p.full : p.plain;
            fields.put("clientId", p.clientId);
            fields.put("decision", decision);
            return new PacketRecord(p.time, true, p.clientId, listener.name(), MqttMessageType.CONNECT.name(),
                    List.copyOf(p.topics), fields, null);
        });
    }

    // ------------------------------------------------------------------ packets

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (msg instanceof MqttMessage m && m.fixedHeader() != null && m.decoderResult().isSuccess() && live()) {
            try {
                inbound(m);
            } catch (RuntimeException e) {
                // A record that cannot be built must never cost the client its message.
                connection.tapFailed(e);
            }
        }
        context.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext context, Object msg, ChannelPromise promise) {
        if (live()) {
            try {
                outbound(msg);
            } catch (RuntimeException e) {
                connection.tapFailed(e);
            }
        }
        context.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        if (pending != null) {
            pending.refusal = pending.refusal != null ? pending.refusal : "connection closed before CONNACK";
            flushConnect(false);
        }
        context.fireChannelInactive();
    }

    private void inbound(MqttMessage m) {
        MqttMessageType type = m.fixedHeader().messageType();
        if (!wants(type)) {
            return;
        }
        long now = System.currentTimeMillis();
        String clientId = connection.tapClientId();
        Admission a = connection.admission();
        String topic = null;
        Integer alias = null;
        if (m instanceof MqttPublishMessage p) {
            topic = p.variableHeader().topicName();
            alias = ConnectProcessor.intProperty(p.variableHeader().properties(), MqttProperties.TOPIC_ALIAS);
            if ((topic == null || topic.isEmpty()) && alias != null) {
                topic = connection.inboundAlias(alias);
            }
        }
        String publishTopic = topic;
        Integer publishAlias = alias;
        emit(type, payloads -> {
            List<String> topics = new ArrayList<>(1);
            Map<String, Object> fields;
            byte[] payload = null;
            switch (type) {
                case PUBLISH -> {
                    MqttPublishMessage p = (MqttPublishMessage) m;
                    if (publishTopic != null) {
                        topics.add(publishTopic);
                    }
                    fields = PacketRecords.publishIn(p, publishTopic, a, payloads);
                    if (publishAlias != null) {
                        fields.put("topicAlias", publishAlias);
                    }
                    if (payloads) {
                        payload = PacketRecords.payload(p.payload());
                    }
                }
                case SUBSCRIBE -> fields = PacketRecords.subscribe((MqttSubscribeMessage) m, a, maxQos, payloads, topics);
                case UNSUBSCRIBE -> fields = PacketRecords.unsubscribe((MqttUnsubscribeMessage) m, payloads, topics);
                case CONNECT -> fields = PacketRecords.connect((MqttConnectMessage) m, payloads, topics);
                default -> fields = PacketRecords.other(m, payloads);
            }
            return new PacketRecord(now, true, clientId, listener.name(), type.name(), topics, fields, payload);
        });
    }

    private void outbound(Object msg) {
        long now = System.currentTimeMillis();
        if (msg instanceof OutboundPublish p) {
            if (wants(MqttMessageType.PUBLISH)) {
                emit(MqttMessageType.PUBLISH, payloads -> new PacketRecord(now, false, connection.tapClientId(),
                        listener.name(), MqttMessageType.PUBLISH.name(), List.of(p.message.topic()),
                        PacketRecords.publishOut(p, payloads), payloads ? p.message.payload() : null));
            }
            return;
        }
        if (!(msg instanceof MqttMessage m) || m.fixedHeader() == null) {
            return;
        }
        MqttMessageType type = m.fixedHeader().messageType();
        if (type == MqttMessageType.CONNACK && pending != null) {
            // Keeps the order CONNECT, CONNACK even for a refusal the connection did not report.
            flushConnect(false);
        }
        if (wants(type)) {
            emit(type, payloads -> new PacketRecord(now, false, connection.tapClientId(), listener.name(),
                    type.name(), List.of(), PacketRecords.other(m, payloads), null));
        }
    }

    // ------------------------------------------------------------------ sinks

    /** Drops ended sinks; {@code false} (and the handler leaves) when none is left. */
    private boolean live() {
        PacketSink[] s = sinks;
        int open = 0;
        for (PacketSink sink : s) {
            if (sink.isOpen()) {
                open++;
            }
        }
        if (open == s.length) {
            return open > 0;
        }
        PacketSink[] kept = new PacketSink[open];
        int i = 0;
        for (PacketSink sink : s) {
            if (sink.isOpen()) {
                kept[i++] = sink;
            }
        }
        sinks = kept;
        if (open == 0) {
            detach();
            return false;
        }
        return true;
    }

    private boolean wants(MqttMessageType type) {
        for (PacketSink sink : sinks) {
            if (sink.wants(type.name())) {
                return true;
            }
        }
        return false;
    }

    /** Builds the record at most twice (with and without content) and hands it to the sinks that want it. */
    private void emit(MqttMessageType type, Function<Boolean, PacketRecord> build) {
        PacketRecord full = null;
        PacketRecord plain = null;
        for (PacketSink sink : sinks) {
            if (!sink.isOpen() || !sink.wants(type.name())) {
                continue;
            }
            if (sink.payloads()) {
                full = full == null ? build.apply(true) : full;
                sink.packet(full);
            } else {
                plain = plain == null ? build.apply(false) : plain;
                sink.packet(plain);
            }
        }
    }

    private void detach() {
        if (ctx != null && !ctx.isRemoved()) {
            ctx.pipeline().remove(this);
        }
    }

    /** A CONNECT waiting for its decision. */
    private static final class PendingConnect {
        final long time;
        String clientId;
        /** Its fields without and with content (will payload, user properties). */
        final Map<String, Object> plain;
        final Map<String, Object> full;
        final List<String> topics;
        ConnectDecision decision;
        String refusal;

        PendingConnect(long time, String clientId, Map<String, Object> plain, Map<String, Object> full,
                       List<String> topics) {
            this.time = time;
            this.clientId = clientId;
            this.plain = plain;
            this.full = full;
            this.topics = topics;
        }
    }
}
