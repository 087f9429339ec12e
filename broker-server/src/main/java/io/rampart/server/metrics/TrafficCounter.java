package io.rampart.server.metrics;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * First in an MQTT pipeline (after TLS, when there is TLS): counts the bytes read and written. Shared by
 * every channel; its only state is the broker's adders.
 */
@ChannelHandler.Sharable
public final class TrafficCounter extends ChannelDuplexHandler {

    private final BrokerMetrics metrics;

    public TrafficCounter(BrokerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        int n = size(msg);
        if (n > 0) {
            metrics.bytesIn(n);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        int n = size(msg);
        if (n > 0) {
            metrics.bytesOut(n);
        }
        ctx.write(msg, promise);
    }

    private static int size(Object msg) {
        if (msg instanceof ByteBuf buf) {
            return buf.readableBytes();
        }
        if (msg instanceof ByteBufHolder holder) {
            return holder.content().readableBytes();
        }
        return 0;
    }
}
