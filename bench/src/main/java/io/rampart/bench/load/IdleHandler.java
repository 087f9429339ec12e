package io.rampart.bench.load;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttVersion;

/**
 * A connection that connects and then only keeps its session alive (memory per idle connection). With
 * {@code keepSession} its session stays on the broker after it disconnects.
 */
final class IdleHandler extends MqttClientHandler {

    private final boolean keepSession;

    IdleHandler(String clientId, MqttVersion version, Login login, RunErrors errors, boolean keepSession) {
        super(clientId, version, login, errors);
        this.keepSession = keepSession;
    }

    @Override
    protected boolean cleanSession() {
        return !keepSession;
    }

    @Override
    protected void onConnected(ChannelHandlerContext ctx, int receiveMaximum) {
        markReady();
    }
}
