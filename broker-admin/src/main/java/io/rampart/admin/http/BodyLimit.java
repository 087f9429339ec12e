package io.rampart.admin.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

/** Aggregates a request up to the body limit; beyond it answers 413 as a problem document and closes. */
final class BodyLimit extends HttpObjectAggregator {

    private final int maxBytes;
    private final boolean secure;

    BodyLimit(int maxBytes, boolean secure) {
        super(maxBytes);
        this.maxBytes = maxBytes;
        this.secure = secure;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        HttpAnswer problem = Problem.of(413, "the request body is larger than " + maxBytes + " bytes", null);
        ctx.writeAndFlush(AdminHttpHandler.response(problem, false, false, secure, null))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
