package io.rampart.admin.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Sits before the HTTP codec: the first byte of a request starts a clock, and a request not read in full within
 * the request timeout (a client sending its headers or body slowly) is answered 408 and the connection closed.
 * Written as raw bytes, because the codec is in the middle of a request.
 */
final class RequestDeadline extends ChannelInboundHandlerAdapter {

    private final long timeoutMillis;
    private final boolean secure;
    private ScheduledFuture<?> timer;
    private boolean processing;

    RequestDeadline(long timeoutMillis, boolean secure) {
        this.timeoutMillis = timeoutMillis;
        this.secure = secure;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (timer == null && !processing && msg instanceof ByteBuf) {
            timer = ctx.executor().schedule(() -> expire(ctx), timeoutMillis, TimeUnit.MILLISECONDS);
        }
        ctx.fireChannelRead(msg);
    }

    /** The request was read in full: it is now being processed (its own timeout applies). */
    void requestRead() {
        cancel();
        processing = true;
    }

    /** The answer was written: the next byte starts the clock of the next request. */
    void answered() {
        processing = false;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expire(ChannelHandlerContext ctx) {
        timer = null;
        if (processing || !ctx.channel().isActive()) {
            return;
        }
        HttpAnswer problem = Problem.of(408, "the request was not received in full within "
                + timeoutMillis / 1000 + " s", null);
        HttpHeaders headers = new DefaultHttpHeaders();
        SecurityHeaders.apply(headers, secure);
        StringBuilder head = new StringBuilder("HTTP/1.1 408 Request Timeout\r\n")
                .append("Content-Type: ").append(problem.contentType()).append("\r\n")
                .append("Content-Length: ").append(problem.body().length).append("\r\n")
                .append("Connection: close\r\n");
        for (Map.Entry<String, String> h : headers) {
            head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        head.append("\r\n");
        ByteBuf out = Unpooled.wrappedBuffer(head.toString().getBytes(StandardCharsets.US_ASCII), problem.body());
        ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
    }
}
