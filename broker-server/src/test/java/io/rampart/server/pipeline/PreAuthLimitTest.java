package io.rampart.server.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PreAuthLimitTest {

    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void finish() {
        for (EmbeddedChannel ch : channels) {
            Object o;
            while ((o = ch.readInbound()) != null) {
                ReferenceCountUtil.release(o);
            }
            while ((o = ch.readOutbound()) != null) {
                ReferenceCountUtil.release(o);
            }
            ch.finishAndReleaseAll();
        }
    }

    // ------------------------------------------------------------------ MQTT packets

    @Test
    void packetsWithinTheLimit_passUnchanged_whateverTheReadBoundaries() {
        byte[] stream = concat(packet(0x10, 100), packet(0x30, 127), packet(0x30, 128), packet(0xC0, 0),
                packet(0x30, 300 - 3));
        for (int chunk : new int[]{1, 2, 3, 7, 64, stream.length}) {
            EmbeddedChannel ch = channel(new PreAuthPacketLimit(300));
            for (int off = 0; off < stream.length; off += chunk) {
                ch.writeInbound(Unpooled.wrappedBuffer(stream, off, Math.min(chunk, stream.length - off)));
            }
            assertThat(inboundBytes(ch)).as("chunks of %d", chunk).isEqualTo(stream);
        }
    }

    @Test
    void packetLargerThanTheLimit_isRefusedAfterItsFixedHeader_andTheRestIsDropped() {
        EmbeddedChannel ch = channel(new PreAuthPacketLimit(1000));
        byte[] small = packet(0x10, 20);
        // a PUBLISH announcing 200 MB, its header split across two reads
        byte[] header = concat(new byte[]{0x30}, varInt(200 * 1024 * 1024));
        ch.writeInbound(Unpooled.wrappedBuffer(concat(small, new byte[]{header[0], header[1]})));
        ch.writeInbound(Unpooled.wrappedBuffer(concat(copy(header, 2), new byte[500])));
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[4096]));

        List<Object> in = inbound(ch);
        assertThat(bytesOf(in)).startsWith(small);
        MqttMessage refused = (MqttMessage) in.stream().filter(MqttMessage.class::isInstance).findFirst().orElseThrow();
        assertThat(refused.decoderResult().cause()).isInstanceOf(TooLongFrameException.class)
                .hasMessage("packet of " + (5 + 200 * 1024 * 1024) + " bytes before authentication; the limit is 1000"
                        + " bytes (mqtt.max-connect-packet-size)");
        assertThat(in.get(in.size() - 1)).as("nothing after the refusal").isSameAs(refused);
    }

    @Test
    void connectAtTheLimitPasses_oneByteMoreIsRefused_withItsProtocolVersionRemembered() {
        byte[] atLimit = packet(0x10, 64 - 2);
        EmbeddedChannel ok = channel(new PreAuthPacketLimit(64));
        ok.writeInbound(Unpooled.wrappedBuffer(atLimit));
        assertThat(inboundBytes(ok)).isEqualTo(atLimit);

        EmbeddedChannel ch = channel(new PreAuthPacketLimit(64));
        byte[] variableHeader = {0, 4, 'M', 'Q', 'T', 'T', 5, 2, 0, 60, 0};
        ch.writeInbound(Unpooled.wrappedBuffer(concat(new byte[]{0x10, 63}, variableHeader)));
        List<Object> in = inbound(ch);
        assertThat(in).singleElement().isInstanceOfSatisfying(MqttMessage.class, m ->
                assertThat(m.decoderResult().cause()).hasMessageStartingWith("CONNECT of 65 bytes"));
        assertThat(ch.attr(AttributeKey.<MqttVersion>valueOf("NETTY_CODEC_MQTT_VERSION")).get())
                .isEqualTo(MqttVersion.MQTT_5);
    }

    @Test
    void remainingLengthOfFiveBytes_isLeftToTheDecoder() {
        EmbeddedChannel ch = channel(new PreAuthPacketLimit(10));
        byte[] bytes = {0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01, 1, 2, 3};
        ch.writeInbound(Unpooled.wrappedBuffer(bytes));
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[]{4, 5}));
        assertThat(inboundBytes(ch)).isEqualTo(concat(bytes, new byte[]{4, 5}));
    }

    /**
     * A CONNECT answered at once lifts the limit while the read that carried it is being passed on: the
     * packets behind it in that read are no longer checked.
     */
    @Test
    void liftedWhilePassingAPacketOn_theRestOfTheReadIsUnchecked() {
        EmbeddedChannel ch = channel(new PreAuthPacketLimit(100));
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            private boolean lifted;

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (!lifted) {
                    lifted = true;
                    PreAuthLimit.lift(ctx.pipeline());
                }
                ctx.fireChannelRead(msg);
            }
        });
        byte[] connect = packet(0x10, 50);
        byte[] big = packet(0x30, 5000);
        ch.writeInbound(Unpooled.wrappedBuffer(concat(connect, big)));
        ch.writeInbound(Unpooled.wrappedBuffer(packet(0x30, 7000)));

        assertThat(ch.pipeline().get(PipelineNames.PRE_AUTH_PACKETS)).isNull();
        assertThat(inboundBytes(ch)).isEqualTo(concat(connect, big, packet(0x30, 7000)));
    }

    // ------------------------------------------------------------------ WebSocket frames

    @Test
    void framesWithinTheLimit_passUnchanged_withEveryLengthEncoding() {
        byte[] stream = concat(frame(0x82, 10, true), frame(0x82, 125, true), frame(0x80, 126, true),
                frame(0x82, 1000, true), frame(0x89, 0, true), frame(0x82, 70_000, false));
        for (int chunk : new int[]{1, 3, 13, 1000, stream.length}) {
            EmbeddedChannel ch = new EmbeddedChannel();
            ch.pipeline().addLast(PipelineNames.PRE_AUTH_FRAMES, new PreAuthFrameLimit(70_000));
            channels.add(ch);
            for (int off = 0; off < stream.length; off += chunk) {
                ch.writeInbound(Unpooled.wrappedBuffer(stream, off, Math.min(chunk, stream.length - off)));
            }
            assertThat(inboundBytes(ch)).as("chunks of %d", chunk).isEqualTo(stream);
        }
    }

    @Test
    void frameLargerThanTheLimit_isClosedWithMessageTooBig() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(PipelineNames.PRE_AUTH_FRAMES, new PreAuthFrameLimit(4096));
        channels.add(ch);
        byte[] header = {(byte) 0x82, (byte) (0x80 | 127), 0, 0, 0, 0, 0x0C, (byte) 0x80, 0, 0, 1, 2, 3, 4};
        assertThatThrownBy(() -> ch.writeInbound(
                Unpooled.wrappedBuffer(concat(frame(0x82, 100, true), header, new byte[100]))))
                .isInstanceOf(CorruptedWebSocketFrameException.class)
                .hasMessage("WebSocket frame of 209715200 bytes before authentication; the limit is 4096 bytes"
                        + " (mqtt.max-connect-packet-size)");

        assertThat(inboundBytes(ch)).isEqualTo(frame(0x82, 100, true));
        CloseWebSocketFrame close = ch.readOutbound();
        try {
            assertThat(close.statusCode()).isEqualTo(1009);
        } finally {
            close.release();
        }
        assertThat(ch.isOpen()).isFalse();
    }

    // ------------------------------------------------------------------ helpers

    private EmbeddedChannel channel(PreAuthPacketLimit limit) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(PipelineNames.PRE_AUTH_PACKETS, limit);
        channels.add(ch);
        return ch;
    }

    private static List<Object> inbound(EmbeddedChannel ch) {
        List<Object> in = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            in.add(o);
        }
        return in;
    }

    private static byte[] inboundBytes(EmbeddedChannel ch) {
        List<Object> in = inbound(ch);
        assertThat(in).allMatch(ByteBuf.class::isInstance);
        return bytesOf(in);
    }

    private static byte[] bytesOf(List<Object> messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object o : messages) {
            if (o instanceof ByteBuf b) {
                byte[] bytes = new byte[b.readableBytes()];
                b.readBytes(bytes);
                out.writeBytes(bytes);
            }
            ReferenceCountUtil.release(o);
        }
        return out.toByteArray();
    }

    /** An MQTT packet of the given type byte with a body of {@code bodyLength} bytes. */
    private static byte[] packet(int firstByte, int bodyLength) {
        byte[] body = new byte[bodyLength];
        for (int i = 0; i < bodyLength; i++) {
            body[i] = (byte) (i + firstByte);
        }
        return concat(new byte[]{(byte) firstByte}, varInt(bodyLength), body);
    }

    private static byte[] frame(int firstByte, int payloadLength, boolean masked) {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(firstByte);
        int mask = masked ? 0x80 : 0;
        if (payloadLength < 126) {
            f.write(mask | payloadLength);
        } else if (payloadLength < 65_536) {
            f.write(mask | 126);
            f.write(payloadLength >> 8);
            f.write(payloadLength);
        } else {
            f.write(mask | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                f.write((int) ((long) payloadLength >> shift) & 0xFF);
            }
        }
        if (masked) {
            f.writeBytes(new byte[]{9, 8, 7, 6});
        }
        for (int i = 0; i < payloadLength; i++) {
            f.write(i);
        }
        return f.toByteArray();
    }

    private static byte[] varInt(int value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        do {
            int digit = value % 128;
            value /= 128;
            out.write(value > 0 ? digit | 0x80 : digit);
        } while (value > 0);
        return out.toByteArray();
    }

    private static byte[] copy(byte[] bytes, int from) {
        return java.util.Arrays.copyOfRange(bytes, from, bytes.length);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
