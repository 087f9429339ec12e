package io.rampart.server.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.rampart.core.message.MessageProperties;
import io.rampart.core.message.UserProperty;

import java.util.List;

/**
 * Encodes outbound PUBLISH packets without copying the payload: the fixed and variable header go into a
 * small pooled buffer and the payload array is wrapped, so one message fanned out to many subscribers
 * shares a single payload. On TCP the two buffers are written separately (gathering write); WebSocket
 * listeners get them joined into one composite so that one frame carries the packet.
 *
 * <p>Every other packet goes to netty-codec-mqtt's encoder from here, so that one pipeline position (one
 * handler context per connection) serves both.
 */
@ChannelHandler.Sharable
public final class PublishEncoder extends MessageToMessageEncoder<OutboundPublish> {

    public static final PublishEncoder TCP = new PublishEncoder(false);
    public static final PublishEncoder WEBSOCKET = new PublishEncoder(true);

    private static final int PAYLOAD_FORMAT_INDICATOR = 0x01;
    private static final int MESSAGE_EXPIRY_INTERVAL = 0x02;
    private static final int CONTENT_TYPE = 0x03;
    private static final int RESPONSE_TOPIC = 0x08;
    private static final int CORRELATION_DATA = 0x09;
    private static final int SUBSCRIPTION_IDENTIFIER = 0x0B;
    private static final int TOPIC_ALIAS = 0x23;
    private static final int USER_PROPERTY = 0x26;

    private final boolean composite;

    private PublishEncoder(boolean composite) {
        super(OutboundPublish.class);
        this.composite = composite;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof MqttMessage) {
            MqttEncoder.INSTANCE.write(ctx, msg, promise);
        } else {
            super.write(ctx, msg, promise);
        }
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, OutboundPublish p, List<Object> out) {
        int headerSize = 1 + varIntSize(p.remainingLength) + p.remainingLength - p.message.payload().length;
        ByteBuf header = ctx.alloc().buffer(headerSize);
        try {
            int flags = 0x30 | (p.dup ? 0x08 : 0) | (p.qos << 1) | (p.retain ? 0x01 : 0);
            header.writeByte(flags);
            writeVarInt(header, p.remainingLength);
            header.writeShort(p.topicBytes);
            ByteBufUtil.reserveAndWriteUtf8(header, p.topic, p.topicBytes);
            if (p.qos > 0) {
                header.writeShort(p.packetId);
            }
            if (p.v5) {
                writeProperties(header, p);
            }
        } catch (RuntimeException e) {
            header.release();
            throw e;
        }
        byte[] payload = p.message.payload();
        if (payload.length == 0) {
            out.add(header);
        } else if (composite) {
            out.add(Unpooled.wrappedBuffer(header, Unpooled.wrappedBuffer(payload)));
        } else {
            out.add(header);
            out.add(Unpooled.wrappedBuffer(payload));
        }
    }

    private static void writeProperties(ByteBuf buf, OutboundPublish p) {
        writeVarInt(buf, p.propertiesLength);
        MessageProperties props = p.properties;
        if (props.payloadFormatIndicator() != null) {
            buf.writeByte(PAYLOAD_FORMAT_INDICATOR).writeByte(props.payloadFormatIndicator());
        }
        if (p.expirySeconds >= 0) {
            buf.writeByte(MESSAGE_EXPIRY_INTERVAL).writeInt((int) p.expirySeconds);
        }
        if (p.topicAlias > 0) {
            buf.writeByte(TOPIC_ALIAS).writeShort(p.topicAlias);
        }
        if (props.responseTopic() != null) {
            buf.writeByte(RESPONSE_TOPIC);
            writeString(buf, props.responseTopic());
        }
        if (props.correlationData() != null) {
            buf.writeByte(CORRELATION_DATA).writeShort(props.correlationData().length).writeBytes(props.correlationData());
        }
        for (UserProperty up : props.userProperties()) {
            buf.writeByte(USER_PROPERTY);
            writeString(buf, up.name());
            writeString(buf, up.value());
        }
        for (int id : p.subscriptionIds) {
            buf.writeByte(SUBSCRIPTION_IDENTIFIER);
            writeVarInt(buf, id);
        }
        if (props.contentType() != null) {
            buf.writeByte(CONTENT_TYPE);
            writeString(buf, props.contentType());
        }
    }

    static int propertiesLength(OutboundPublish p) {
        MessageProperties props = p.properties;
        int len = 0;
        if (props.payloadFormatIndicator() != null) {
            len += 2;
        }
        if (p.expirySeconds >= 0) {
            len += 5;
        }
        if (p.topicAlias > 0) {
            len += 3;
        }
        if (props.responseTopic() != null) {
            len += 3 + utf8Length(props.responseTopic());
        }
        if (props.correlationData() != null) {
            len += 3 + props.correlationData().length;
        }
        for (UserProperty up : props.userProperties()) {
            len += 5 + utf8Length(up.name()) + utf8Length(up.value());
        }
        for (int id : p.subscriptionIds) {
            len += 1 + varIntSize(id);
        }
        if (props.contentType() != null) {
            len += 3 + utf8Length(props.contentType());
        }
        return len;
    }

    private static void writeString(ByteBuf buf, String s) {
        int len = utf8Length(s);
        buf.writeShort(len);
        ByteBufUtil.reserveAndWriteUtf8(buf, s, len);
    }

    static int utf8Length(String s) {
        return ByteBufUtil.utf8Bytes(s);
    }

    static int varIntSize(int value) {
        if (value < 128) {
            return 1;
        } else if (value < 16_384) {
            return 2;
        } else if (value < 2_097_152) {
            return 3;
        }
        return 4;
    }

    private static void writeVarInt(ByteBuf buf, int value) {
        int v = value;
        do {
            int digit = v % 128;
            v /= 128;
            if (v > 0) {
                digit |= 0x80;
            }
            buf.writeByte(digit);
        } while (v > 0);
    }
}
