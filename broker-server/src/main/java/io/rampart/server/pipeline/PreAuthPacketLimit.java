package io.rampart.server.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttMessageFactory;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.AttributeKey;

import java.nio.charset.StandardCharsets;

/**
 * {@code mqtt.max-connect-packet-size} on the decrypted byte stream, in front of the MQTT decoder: an MQTT
 * packet (fixed header included) larger than the limit before CONNACK is refused right after its fixed
 * header, the way the decoder refuses one above {@code max-packet-size}: the connection receives the
 * decoder's "too long" failure, so a CONNECT is answered CONNACK 0x95 (MQTT 5) or closed (3.1.1), and later
 * packets get DISCONNECT 0x95.
 */
public final class PreAuthPacketLimit extends PreAuthLimit {

    /** The attribute netty-codec-mqtt keeps the protocol version of a connection in. */
    private static final AttributeKey<MqttVersion> MQTT_VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");

    private int headerBytes;
    private int firstByte;
    private int remaining;
    private boolean connectSeen;

    public PreAuthPacketLimit(int limit) {
        super(limit);
    }

    @Override
    long headerByte(int b) {
        if (headerBytes == 0) {
            firstByte = b;
            remaining = 0;
            headerBytes = 1;
            return MORE;
        }
        remaining |= (b & 0x7F) << (7 * (headerBytes - 1));
        headerBytes++;
        if ((b & 0x80) == 0) {
            return remaining;
        }
        return headerBytes == 5 ? UNCHECKED : MORE; // a fifth length byte: the decoder reports it as malformed
    }

    @Override
    long announcedSize(long body) {
        long size = headerBytes + body;
        headerBytes = 0;
        if (size <= limit) {
            connectSeen |= firstByte >> 4 == 1;
        }
        return size;
    }

    @Override
    void refuse(ChannelHandlerContext ctx, ByteBuf buf, int afterHeader, long announced) {
        boolean connect = !connectSeen && firstByte >> 4 == 1;
        if (connect) {
            rememberVersion(ctx, buf, afterHeader);
        }
        String what = connect ? "CONNECT" : "packet";
        ctx.fireChannelRead(MqttMessageFactory.newInvalidMessage(new TooLongFrameException(
                what + " of " + announced + " bytes before authentication; the limit is " + limit
                        + " bytes (mqtt.max-connect-packet-size)")));
    }

    /**
     * Reads the protocol name and level of a refused CONNECT when the same read holds them, so that an
     * MQTT 5 client gets its CONNACK 0x95 rather than a bare close.
     */
    private static void rememberVersion(ChannelHandlerContext ctx, ByteBuf buf, int at) {
        if (buf.writerIndex() - at < 3) {
            return;
        }
        int nameLength = buf.getUnsignedShort(at);
        if (nameLength > 6 || buf.writerIndex() - at < 3 + nameLength) {
            return;
        }
        String name = buf.toString(at + 2, nameLength, StandardCharsets.UTF_8);
        byte level = buf.getByte(at + 2 + nameLength);
        try {
            ctx.channel().attr(MQTT_VERSION).set(MqttVersion.fromProtocolNameAndLevel(name, level));
        } catch (MqttUnacceptableProtocolVersionException e) {
            // not an MQTT version we speak: the connection is closed without an answer
        }
    }
}
