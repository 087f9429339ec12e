package io.rampart.server.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;

/**
 * Bounds what a connection may make the broker buffer before it is authenticated. The decoders behind it
 * (MQTT, WebSocket frames) hold a whole packet or frame before anyone looks at it, up to
 * {@code max-packet-size}; without this stage, a peer that has not even sent a valid CONNECT could make the
 * broker buffer 256 MB per connection.
 *
 * <p>It is streaming: it reads only the headers that announce a unit's length, passes every byte on as it
 * arrives and keeps none, so it costs nothing and can be removed at any point of the stream. A unit
 * announced larger than the limit is refused as soon as its header is read; what follows is discarded.
 * Each unit that ends inside a read is passed on by itself, so that when it completes the authentication
 * (CONNECT answered synchronously, MQTT 5 AUTH) the rest of the read reaches the decoders unchecked.
 * {@link #lift} removes the stages once CONNACK has accepted the client.
 */
public abstract class PreAuthLimit extends ChannelInboundHandlerAdapter {

    /** Returned by {@link #headerByte} while the header is incomplete. */
    static final long MORE = -1;
    /** Returned by {@link #headerByte} for a header the decoder behind will refuse: stop checking. */
    static final long UNCHECKED = -2;

    final int limit;
    private long bodyLeft;
    private boolean passThrough;
    private boolean refused;

    PreAuthLimit(int limit) {
        this.limit = limit;
    }

    /** Removes both stages from the pipeline: the connection is authenticated. */
    public static void lift(ChannelPipeline pipeline) {
        if (pipeline.get(PipelineNames.PRE_AUTH_PACKETS) != null) {
            pipeline.remove(PipelineNames.PRE_AUTH_PACKETS);
        }
        if (pipeline.get(PipelineNames.PRE_AUTH_FRAMES) != null) {
            pipeline.remove(PipelineNames.PRE_AUTH_FRAMES);
        }
    }

    /**
     * The next byte of a unit's header. Returns {@link #MORE} while the header is incomplete, then the
     * length of the body that follows it, or {@link #UNCHECKED}.
     */
    abstract long headerByte(int b);

    /** The size a complete header announces, compared with the limit; {@code body} is what it returned. */
    abstract long announcedSize(long body);

    /**
     * Refuses the unit whose header ends at {@code afterHeader} in {@code buf} (which still holds the
     * unread bytes from there on); {@code buf} is released by the caller.
     */
    abstract void refuse(ChannelHandlerContext ctx, ByteBuf buf, int afterHeader, long announced);

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf) || passThrough) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (refused) {
            buf.release();
            return;
        }
        int from = buf.readerIndex();
        int end = buf.writerIndex();
        int i = from;
        while (i < end) {
            if (bodyLeft > 0) {
                int n = (int) Math.min(bodyLeft, end - i);
                i += n;
                bodyLeft -= n;
                if (bodyLeft == 0 && i < end) {
                    ctx.fireChannelRead(buf.retainedSlice(from, i - from));
                    from = i;
                    if (ctx.isRemoved()) {
                        break;
                    }
                }
                continue;
            }
            long body = headerByte(buf.getUnsignedByte(i++));
            if (body == MORE) {
                continue;
            }
            if (body == UNCHECKED) {
                passThrough = true;
                break;
            }
            long announced = announcedSize(body);
            if (announced > limit) {
                refused = true;
                try {
                    refuse(ctx, buf, i, announced);
                } finally {
                    buf.release();
                }
                return;
            }
            bodyLeft = body;
            if (body == 0 && i < end) {
                ctx.fireChannelRead(buf.retainedSlice(from, i - from));
                from = i;
                if (ctx.isRemoved()) {
                    break;
                }
            }
        }
        if (from == buf.readerIndex()) {
            ctx.fireChannelRead(buf);
        } else {
            if (from < end) {
                ctx.fireChannelRead(buf.retainedSlice(from, end - from));
            }
            buf.release();
        }
    }
}
