package io.rampart.bench.load;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttVersion;

/** One CONNECT / CONNACK / DISCONNECT cycle; reports to its {@link ConnectRun} when the channel has closed. */
final class ConnectCycleHandler extends MqttClientHandler {

    private final ConnectRun run;
    private final long startedAt;
    private long connAckAt;

    ConnectCycleHandler(String clientId, MqttVersion version, Login login, RunErrors errors, ConnectRun run, long startedAt) {
        super(clientId, version, login, errors);
        this.run = run;
        this.startedAt = startedAt;
    }

    @Override
    protected void onConnected(ChannelHandlerContext ctx, int receiveMaximum) {
        connAckAt = System.nanoTime();
        markReady();
        disconnectNow(ctx);
    }

    @Override
    protected void onClosed(boolean expected) {
        run.cycleDone(channel.eventLoop(), connAckAt != 0, startedAt, connAckAt);
    }
}
