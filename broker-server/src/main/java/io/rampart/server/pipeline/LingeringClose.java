package io.rampart.server.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Ends a connection after the broker's last packet (a refusing CONNACK, a DISCONNECT with its reason code) so
 * that the client can read that packet. Closing a socket while the client's own packets are still unread in
 * it makes the operating system answer with a reset, and a reset makes the client's system drop what it had
 * received but not yet handed to the client: a client that keeps publishing would never see why it was
 * disconnected. So the broker finishes its side (WebSocket Close, TLS close_notify, TCP FIN), then reads and
 * discards what the client still sends until the client closes too, for at most {@link #LINGER_SECONDS}.
 */
public final class LingeringClose {

    /** How long the broker waits for the client to close after its last packet. */
    public static final long LINGER_SECONDS = 2;

    private LingeringClose() {
    }

    /** Writes {@code lastPacket} and ends the connection as above. */
    public static void after(ChannelHandlerContext ctx, Object lastPacket) {
        ctx.writeAndFlush(lastPacket).addListener(f -> finish(ctx.channel()));
    }

    private static void finish(Channel ch) {
        if (!ch.isActive() || !(ch instanceof DuplexChannel duplex)) {
            ch.close();
            return;
        }
        ScheduledFuture<?> deadline = ch.eventLoop().schedule(() -> ch.close(), LINGER_SECONDS, TimeUnit.SECONDS);
        ch.closeFuture().addListener(f -> deadline.cancel(false));
        // Raw bytes are dropped in front of everything, TLS included: nothing the client sends now is looked at.
        ch.pipeline().addFirst(Discard.INSTANCE);
        ch.config().setAutoRead(true);
        ChannelFuture ended = ch.newSucceededFuture();
        if (ch.pipeline().get(PipelineNames.WS_FRAMES) != null) {
            ended = ch.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE));
        }
        ended.addListener(f -> {
            SslHandler tls = ch.pipeline().get(SslHandler.class);
            ChannelFuture notified = tls != null && ch.isActive() ? tls.closeOutbound() : ch.newSucceededFuture();
            notified.addListener(n -> {
                if (ch.isActive()) {
                    duplex.shutdownOutput();
                }
            });
        });
    }

    /** Releases everything read; the connection closes when the client's end of stream arrives. */
    @ChannelHandler.Sharable
    private static final class Discard extends ChannelInboundHandlerAdapter {
        static final Discard INSTANCE = new Discard();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf) {
                ReferenceCountUtil.release(msg);
            } else {
                ctx.fireChannelRead(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
