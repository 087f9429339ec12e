package io.rampart.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AttributeKey;

/**
 * The client pipeline, in order: [{@value #TLS_HANDLER}] (TLS runs only), {@value #DECODER} (bytes to packets), {@value #ENCODER} (packets to bytes,
 * shared and stateless), {@value #CLIENT} (the per-connection {@link MqttClientHandler}).
 */
final class ClientPipeline {

    static final String DECODER = "mqtt-decoder";
    static final String ENCODER = "mqtt-encoder";
    static final String CLIENT = "mqtt-client";
    static final String TLS_HANDLER = "tls";
    /** Set on the bootstrap when connections use TLS ({@link Transport}). */
    static final AttributeKey<SslContext> TLS = AttributeKey.valueOf("rampart.bench.tls");

    private ClientPipeline() {
    }

    /** Opens one connection driven by {@code handler}; a failed TCP connect is counted and fails its readiness. */
    static ChannelFuture connect(Bootstrap bootstrap, MqttClientHandler handler, int maxPacketBytes, RunErrors errors) {
        ChannelFuture f = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                SslContext tls = ch.attr(TLS).get();
                if (tls != null) {
                    // No peer host and port: no session resumption, every connection is a full handshake.
                    ch.pipeline().addLast(TLS_HANDLER, tls.newHandler(ch.alloc()));
                }
                ch.pipeline()
                        .addLast(DECODER, new MqttDecoder(maxPacketBytes))
                        .addLast(ENCODER, MqttEncoder.INSTANCE)
                        .addLast(CLIENT, handler);
            }
        }).connect();
        f.addListener(done -> {
            if (!done.isSuccess()) {
                errors.connectFailed(handler.clientId, done.cause());
                handler.fail(done.cause());
            }
        });
        return f;
    }
}
