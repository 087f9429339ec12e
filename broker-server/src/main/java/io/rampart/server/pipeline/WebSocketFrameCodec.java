package io.rampart.server.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

import java.util.List;

/**
 * MQTT over WebSocket: binary (and continuation) frames carry a byte stream that the MQTT decoder
 * reassembles, since packets need not align with frames; each outbound buffer becomes one binary frame.
 * Text frames are a protocol error (MQTT spec §6) and close the connection. When the broker closes a
 * connection it sends a WebSocket Close frame first (RFC 6455 §7.1.1), so clients see an orderly end
 * after the last MQTT packet (e.g. a refusing CONNACK) instead of a bare TCP close.
 */
@ChannelHandler.Sharable
public final class WebSocketFrameCodec extends MessageToMessageCodec<WebSocketFrame, ByteBuf> {

    public static final WebSocketFrameCodec INSTANCE = new WebSocketFrameCodec();

    private WebSocketFrameCodec() {
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, ByteBuf msg, List<Object> out) {
        out.add(new BinaryWebSocketFrame(msg.retain()));
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (!ctx.channel().isActive()) {
            ctx.close(promise);
            return;
        }
        ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
                .addListener(f -> ctx.close(promise));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
        if (frame instanceof BinaryWebSocketFrame || frame instanceof ContinuationWebSocketFrame) {
            out.add(frame.content().retain());
        } else {
            ctx.close();
        }
    }
}
