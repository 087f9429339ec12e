package io.rampart.server.pipeline;

/**
 * Names of the channel handlers, in pipeline order (head to tail). Later stages (TLS, metrics, security)
 * insert themselves relative to these names.
 *
 * <pre>
 *   ssl                       TLS listeners only: SNI lookup, then the SslHandler (handshake timeout)
 *   tls-outcome               TLS listeners only: client-certificate variables, failed handshakes to the
 *                             access log; removes itself after the handshake
 *   metrics-bytes             counts bytes read and written (after TLS: decrypted bytes)
 *   [pre-auth-frames]         WebSocket listeners: max-connect-packet-size on frames, from the handshake
 *                             until CONNACK, in front of the frame decoder (wsencoder, wsdecoder)
 *   http-codec, http-aggregator, [pre-auth-ws], ws-protocol, http-not-found, ws-frames   WebSocket only
 *   [pre-auth-packets]        max-connect-packet-size until CONNACK accepts the client
 *   mqtt-decoder              netty-codec-mqtt, bounded by max-packet-size
 *   mqtt-encoder              zero-copy outbound PUBLISH; every other packet through netty-codec-mqtt
 *   metrics-packets           counts MQTT packets in and out by type and QoS
 *   [packet-tap]              added at CONNECT (or later) on connections a trace recording selects
 *   mqtt-connection           the per-connection protocol state machine
 * </pre>
 */
public final class PipelineNames {
    public static final String SSL = "ssl";
    public static final String METRICS_BYTES = "metrics-bytes";
    public static final String METRICS_PACKETS = "metrics-packets";
    public static final String TLS_OUTCOME = "tls-outcome";
    public static final String HTTP_CODEC = "http-codec";
    public static final String HTTP_AGGREGATOR = "http-aggregator";
    public static final String WS_PROTOCOL = "ws-protocol";
    public static final String HTTP_NOT_FOUND = "http-not-found";
    public static final String WS_FRAMES = "ws-frames";
    public static final String PRE_AUTH_FRAMES = "pre-auth-frames";
    public static final String PRE_AUTH_WS = "pre-auth-ws";
    public static final String PRE_AUTH_PACKETS = "pre-auth-packets";
    public static final String MQTT_DECODER = "mqtt-decoder";
    public static final String MQTT_ENCODER = "mqtt-encoder";
    public static final String PACKET_TAP = "packet-tap";
    public static final String MQTT_CONNECTION = "mqtt-connection";

    private PipelineNames() {
    }
}
