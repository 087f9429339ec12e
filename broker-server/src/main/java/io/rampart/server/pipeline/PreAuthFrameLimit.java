package io.rampart.server.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

/**
 * {@code mqtt.max-connect-packet-size} on WebSocket frames, in front of the frame decoder (which holds a
 * whole frame, up to the listener's frame limit, before passing it on): before CONNACK, a frame whose
 * payload is larger than the limit is answered with Close 1009 (message too big, RFC 6455 §7.4.1) right
 * after its header, like the frame decoder answers one above its own limit.
 */
public final class PreAuthFrameLimit extends PreAuthLimit {

    private final byte[] header = new byte[14];
    private int headerBytes;
    private int headerLength;

    public PreAuthFrameLimit(int limit) {
        super(limit);
    }

    @Override
    long headerByte(int b) {
        header[headerBytes++] = (byte) b;
        if (headerBytes == 2) {
            int length7 = b & 0x7F;
            headerLength = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + ((b & 0x80) != 0 ? 4 : 0);
        }
        if (headerBytes < 2 || headerBytes < headerLength) {
            return MORE;
        }
        headerBytes = 0;
        int length7 = header[1] & 0x7F;
        if (length7 < 126) {
            return length7;
        }
        long length = 0;
        for (int k = 2, n = length7 == 126 ? 4 : 10; k < n; k++) {
            length = length << 8 | (header[k] & 0xFF);
        }
        return length < 0 ? UNCHECKED : length; // a 64-bit length with the top bit set: the decoder refuses it
    }

    @Override
    long announcedSize(long body) {
        return body;
    }

    @Override
    void refuse(ChannelHandlerContext ctx, ByteBuf buf, int afterHeader, long announced) {
        String reason = "WebSocket frame of " + announced + " bytes before authentication; the limit is " + limit
                + " bytes (mqtt.max-connect-packet-size)";
        ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.MESSAGE_TOO_BIG, "frame too large"))
                .addListener(f -> ctx.close());
        ctx.fireExceptionCaught(new CorruptedWebSocketFrameException(WebSocketCloseStatus.MESSAGE_TOO_BIG, reason));
    }

    /**
     * Puts the frame limit in place in the same call that performed the WebSocket handshake, before the next
     * read can reach the frame decoder; sits in front of the handshake handler and removes itself.
     */
    static final class Installer extends ChannelInboundHandlerAdapter {

        /** The frame decoder's name, as the handshake adds it. */
        private static final String FRAME_DECODER = "wsdecoder";

        private final int limit;

        Installer(int limit) {
            this.limit = limit;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.fireChannelRead(msg);
            ChannelPipeline p = ctx.pipeline();
            if (!ctx.isRemoved() && p.get(FRAME_DECODER) != null) {
                p.addBefore(FRAME_DECODER, PipelineNames.PRE_AUTH_FRAMES, new PreAuthFrameLimit(limit));
                p.remove(this);
            }
        }
    }
}
