package io.rampart.bench.load;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttVersion;

/** A connection that connects and then only keeps its session alive (memory per idle connection). */
final class IdleHandler extends MqttClientHandler {

    IdleHandler(String clientId, MqttVersion version, Login login, RunErrors errors) {
        super(clientId, version, login, errors);
    }

    @Override
    protected void onConnected(ChannelHandlerContext ctx, int receiveMaximum) {
        markReady();
    }
}
