package io.rampart.server.pipeline;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.rampart.core.BrokerCore;
import io.rampart.core.MqttLimits;
import io.rampart.server.events.BrokerEvents;
import io.rampart.server.limit.ConnectionAdmission;
import io.rampart.server.metrics.PacketCounter;
import io.rampart.server.metrics.TrafficCounter;
import io.rampart.server.protocol.DeadlineSweep;
import io.rampart.server.protocol.ListenerContext;
import io.rampart.server.protocol.MqttConnection;
import io.rampart.server.protocol.PublishEncoder;
import io.rampart.tls.ServerTls;
import io.rampart.tls.TlsHandshakeHandler;


/**
 * Builds the pipeline of one listener, top to bottom in the order of {@link PipelineNames}. TLS listeners
 * start with the TLS handler (SNI, handshake timeout, revocation in the trust manager); TCP listeners then
 * continue at the MQTT decoder; WebSocket listeners first upgrade HTTP on their path with the {@code mqtt}
 * subprotocols and unwrap binary frames. Nothing here needs a socket, so the same pipeline is also built on
 * embedded channels (the listener fuzz tests).
 */
public final class MqttChannelInitializer extends ChannelInitializer<Channel> {

    /** Subprotocols a WebSocket listener accepts (MQTT 5/3.1.1 and the legacy 3.1 name). */
    public static final String WS_SUBPROTOCOLS = "mqtt,mqttv3.1";

    private final ListenerContext listener;
    private final String webSocketPath;
    private final BrokerCore core;
    private final BrokerEvents events;
    private final ChannelGroup channels;
    private final TrafficCounter trafficCounter;
    private final PacketCounter packetCounter;
    private final ServerTls tls;
    private final TlsHandshakeHandler.FailureSink tlsFailures;
    /** The listener's connection limits, or {@code null} when it has none. */
    private final ConnectionAdmission admission;
    private final DeadlineSweep deadlines = new DeadlineSweep();

    /**
     * @param webSocketPath the upgrade path for WebSocket listeners, {@code null} for plain TCP
     * @param channels      every accepted channel is added here (for shutdown)
     */
    public MqttChannelInitializer(ListenerContext listener, String webSocketPath, BrokerCore core, BrokerEvents events,
                                  ChannelGroup channels, TrafficCounter trafficCounter, PacketCounter packetCounter) {
        this(listener, webSocketPath, null, null, core, events, channels, trafficCounter, packetCounter);
    }

    /**
     * @param tls       the listener's TLS contexts, or {@code null} for a listener without TLS
     * @param admission the listener's connection limits, or {@code null} when it has none
     */
    public MqttChannelInitializer(ListenerContext listener, String webSocketPath, ServerTls tls,
                                  ConnectionAdmission admission, BrokerCore core, BrokerEvents events,
                                  ChannelGroup channels, TrafficCounter trafficCounter, PacketCounter packetCounter) {
        this.tls = tls;
        this.tlsFailures = (ch, f) -> listener.accessLog().tlsFailure(listener.name(), ch.remoteAddress(), f.kind(),
                f.subject(), f.serial(), f.reason());
        this.listener = listener;
        this.webSocketPath = webSocketPath;
        this.core = core;
        this.events = events;
        this.channels = channels;
        this.trafficCounter = trafficCounter;
        this.packetCounter = packetCounter;
        this.admission = admission != null && admission.limits() ? admission : null;
    }

    @Override
    protected void initChannel(Channel ch) {
        if (admission != null && !admission.admit(ch)) {
            return;
        }
        MqttLimits limits = core.limits();
        int maxPacketSize = listener.maxPacketSize();
        int connectPacketLimit = Math.min(limits.connectPacketLimit(), maxPacketSize);
        ChannelPipeline p = ch.pipeline();
        boolean ws = webSocketPath != null;
        // Before CONNACK nothing larger than max-connect-packet-size is buffered (lifted at CONNACK).
        boolean preAuth = connectPacketLimit < maxPacketSize;
        if (tls != null) {
            p.addLast(PipelineNames.SSL, tls.newHandler(ch.alloc()));
            p.addLast(PipelineNames.TLS_OUTCOME, tls.newOutcomeHandler(tlsFailures));
        }
        p.addLast(PipelineNames.METRICS_BYTES, trafficCounter);
        if (ws) {
            p.addLast(PipelineNames.HTTP_CODEC, new HttpServerCodec());
            p.addLast(PipelineNames.HTTP_AGGREGATOR, new HttpObjectAggregator(8192));
            if (preAuth) {
                p.addLast(PipelineNames.PRE_AUTH_WS, new PreAuthFrameLimit.Installer(connectPacketLimit));
            }
            p.addLast(PipelineNames.WS_PROTOCOL, new WebSocketServerProtocolHandler(
                    WebSocketServerProtocolConfig.newBuilder()
                            .websocketPath(webSocketPath)
                            .subprotocols(WS_SUBPROTOCOLS)
                            .allowExtensions(true)
                            .maxFramePayloadLength(Math.max(65_536, Math.min(maxPacketSize + 5, Integer.MAX_VALUE - 8)))
                            .handshakeTimeoutMillis(limits.connectTimeoutSeconds() * 1000L)
                            .build()));
            p.addLast(PipelineNames.HTTP_NOT_FOUND, HttpNotFoundHandler.INSTANCE);
            p.addLast(PipelineNames.WS_FRAMES, WebSocketFrameCodec.INSTANCE);
        }
        if (preAuth) {
            p.addLast(PipelineNames.PRE_AUTH_PACKETS, new PreAuthPacketLimit(connectPacketLimit));
        }
        // The decoder's limit counts the whole packet, fixed header included, like MQTT's Maximum Packet Size.
        p.addLast(PipelineNames.MQTT_DECODER, new MqttDecoder(maxPacketSize, 65_535));
        p.addLast(PipelineNames.MQTT_ENCODER, ws ? PublishEncoder.WEBSOCKET : PublishEncoder.TCP);
        p.addLast(PipelineNames.METRICS_PACKETS, packetCounter);
        p.addLast(PipelineNames.MQTT_CONNECTION, new MqttConnection(listener, core, events, deadlines));
        channels.add(ch);
    }
}
