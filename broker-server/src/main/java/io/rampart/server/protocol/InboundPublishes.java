package io.rampart.server.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.rampart.core.MqttLimits;
import io.rampart.core.message.Message;
import io.rampart.core.message.MessageProperties;
import io.rampart.core.session.Session;
import io.rampart.core.topic.Topics;

/**
 * Inbound PUBLISH and PUBREL: topic aliases, validation against the limits, authorization, routing and
 * the QoS 1/2 acknowledgements. QoS 2 is delivered once, on first receipt; re-sent PUBLISHes with the
 * same packet identifier before PUBREL are only acknowledged again.
 */
final class InboundPublishes {

    private static final byte[] EMPTY = new byte[0];

    private final MqttConnection c;
    private String[] aliases;

    InboundPublishes(MqttConnection connection) {
        this.c = connection;
    }

    void publish(MqttPublishMessage msg) {
        MqttLimits limits = c.limits;
        MqttPublishVariableHeader header = msg.variableHeader();
        int qos = msg.fixedHeader().qosLevel().value();
        boolean retain = msg.fixedHeader().isRetain();
        int packetId = header.packetId();
        boolean v5 = c.isV5();
        MqttProperties props = v5 ? header.properties() : MqttProperties.NO_PROPERTIES;

        String topic = resolveTopic(header.topicName(), props);
        String problem = Topics.validateTopicName(topic, limits.maxTopicLength(), limits.maxTopicLevels());
        if (problem != null) {
            throw new ProtocolViolation(ReasonCodes.TOPIC_NAME_INVALID, "PUBLISH topic: " + problem);
        }
        if (qos > limits.maxQos()) {
            throw new ProtocolViolation(ReasonCodes.QOS_NOT_SUPPORTED,
                    "PUBLISH QoS " + qos + " above the maximum " + limits.maxQos());
        }
        if (retain && !limits.retainAvailable()) {
            throw new ProtocolViolation(ReasonCodes.RETAIN_NOT_SUPPORTED, "retained messages are not available");
        }
        Session session = c.session;
        if (qos == 2 && session.isAwaitingRelease(packetId)) {
            // The client re-sent a QoS 2 PUBLISH before PUBREL: acknowledge, never route twice.
            c.ctx.write(Replies.pubReply(MqttMessageType.PUBREC, packetId, ReasonCodes.SUCCESS, null));
            return;
        }
        if (qos == 1 && session.isAwaitingRelease(packetId)) {
            if (!v5) {
                // MQTT 3 has no way to refuse a PUBLISH: reusing an identifier still in use closes the connection.
                throw new ProtocolViolation(ReasonCodes.PACKET_ID_IN_USE,
                        "packet identifier " + packetId + " reused while its QoS 2 flow is open");
            }
            c.ctx.write(Replies.pubReply(MqttMessageType.PUBACK, packetId, ReasonCodes.PACKET_ID_IN_USE,
                    reasonString("packet identifier " + packetId + " is in use by a QoS 2 flow")));
            return;
        }
        if (qos == 2 && session.inboundQos2Count() >= limits.receiveMaximum()) {
            throw new ProtocolViolation(ReasonCodes.RECEIVE_MAXIMUM_EXCEEDED,
                    "more than " + limits.receiveMaximum() + " unacknowledged QoS 2 PUBLISH packets");
        }
        byte[] payload = copyPayload(msg.payload());
        MessageProperties properties = MessageProperties.NONE;
        long expiry = 0;
        if (v5) {
            String invalid = MessagePropertiesCodec.validate(props, payload);
            if (invalid != null) {
                int code = invalid.startsWith("payload") ? ReasonCodes.PAYLOAD_FORMAT_INVALID : ReasonCodes.PROTOCOL_ERROR;
                if (qos == 0 || code == ReasonCodes.PROTOCOL_ERROR) {
                    throw new ProtocolViolation(code, invalid);
                }
                c.ctx.write(Replies.pubReply(qos == 1 ? MqttMessageType.PUBACK : MqttMessageType.PUBREC,
                        packetId, code, reasonString(invalid)));
                return;
            }
            properties = MessagePropertiesCodec.fromMqtt(props);
            if (props.getProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER) != null) {
                throw new ProtocolViolation(ReasonCodes.PROTOCOL_ERROR, "subscription identifier in a client PUBLISH");
            }
            Integer e = ConnectProcessor.intProperty(props, MqttProperties.PUBLICATION_EXPIRY_INTERVAL);
            expiry = e == null ? 0 : Integer.toUnsignedLong(e);
        }
        if (limits.maxMessageExpirySeconds() > 0 && (expiry == 0 || expiry > limits.maxMessageExpirySeconds())) {
            expiry = limits.maxMessageExpirySeconds();
        }

        if (!c.permissions.mayPublish(topic, qos, retain)) {
            notAuthorized(qos, packetId, topic, retain);
            return;
        }
        if (c.listener.accessLog().logsAllowedPublish()) {
            c.listener.accessLog().publish(c.accessSubject(), topic, qos, true, c.decision.manager(), c.decision.realm(),
                    "allowed");
        }
        if (qos == 2) {
            session.receiveQos2(packetId);
        }
        Message message = Message.of(topic, qos, retain, payload, properties, c.clientId, expiry);
        int receivers = c.core.router().publish(message);
        if (receivers == 0 && !retain) {
            c.events.noSubscribers();
        }
        int code = receivers == 0 && v5 ? ReasonCodes.NO_MATCHING_SUBSCRIBERS : ReasonCodes.SUCCESS;
        if (qos == 1) {
            c.ctx.write(Replies.pubReply(MqttMessageType.PUBACK, packetId, code, null));
        } else if (qos == 2) {
            c.ctx.write(Replies.pubReply(MqttMessageType.PUBREC, packetId, code, null));
        }
    }

    /**
     * A denied PUBLISH never reaches a subscriber. MQTT 5 clients get PUBACK/PUBREC 0x87 (or DISCONNECT 0x87
     * when the pipeline says so); MQTT 3 has no negative acknowledgement, so the flow is completed as usual.
     */
    private void notAuthorized(int qos, int packetId, String topic, boolean retain) {
        String reason = "not authorized to publish to '" + topic + "' at QoS " + qos + (retain ? " with retain" : "");
        c.events.authzDenied(io.rampart.server.metrics.AuthzAction.PUBLISH);
        c.listener.accessLog().publish(c.accessSubject(), topic, qos, false, c.decision.manager(), c.decision.realm(), reason);
        if (c.decision.disconnectOnPublishDenied()) {
            throw new ProtocolViolation(ReasonCodes.NOT_AUTHORIZED, reason);
        }
        if (!c.isV5()) {
            if (qos == 1) {
                c.ctx.write(Replies.pubReply(MqttMessageType.PUBACK, packetId, ReasonCodes.SUCCESS, null));
            } else if (qos == 2) {
                c.session.receiveQos2(packetId);
                c.ctx.write(Replies.pubReply(MqttMessageType.PUBREC, packetId, ReasonCodes.SUCCESS, null));
            }
            return;
        }
        if (qos == 1) {
            c.ctx.write(Replies.pubReply(MqttMessageType.PUBACK, packetId, ReasonCodes.NOT_AUTHORIZED, reasonString(reason)));
        } else if (qos == 2) {
            c.ctx.write(Replies.pubReply(MqttMessageType.PUBREC, packetId, ReasonCodes.NOT_AUTHORIZED, reasonString(reason)));
        }
    }

    void pubrel(int packetId) {
        boolean known = c.session.release(packetId);
        c.ctx.write(Replies.pubReply(MqttMessageType.PUBCOMP, packetId,
                known ? ReasonCodes.SUCCESS : ReasonCodes.PACKET_ID_NOT_FOUND, null));
    }

    private String resolveTopic(String topicName, MqttProperties props) {
        Integer alias = ConnectProcessor.intProperty(props, MqttProperties.TOPIC_ALIAS);
        if (alias == null) {
            if (topicName.isEmpty()) {
                throw new ProtocolViolation(ReasonCodes.PROTOCOL_ERROR, "PUBLISH without topic name or topic alias");
            }
            return topicName;
        }
        int max = c.limits.topicAliasMaximum();
        if (alias == 0 || alias > max) {
            throw new ProtocolViolation(ReasonCodes.TOPIC_ALIAS_INVALID,
                    "topic alias " + alias + " outside 1.." + max);
        }
        if (aliases == null) {
            aliases = new String[max + 1];
        }
        if (topicName.isEmpty()) {
            String known = aliases[alias];
            if (known == null) {
                throw new ProtocolViolation(ReasonCodes.PROTOCOL_ERROR, "topic alias " + alias + " was never set");
            }
            return known;
        }
        if (Topics.validateTopicName(topicName, c.limits.maxTopicLength(), c.limits.maxTopicLevels()) == null) {
            aliases[alias] = topicName;
        }
        return topicName;
    }

    private String reasonString(String reason) {
        return c.isV5() && c.requestProblemInformation
                && Replies.reasonStringFits(Replies.PUB_REPLY_HEAD, reason, c.clientMaximumPacketSize) ? reason : null;
    }

    private static byte[] copyPayload(ByteBuf buf) {
        int n = buf.readableBytes();
        if (n == 0) {
            return EMPTY;
        }
        byte[] bytes = new byte[n];
        buf.getBytes(buf.readerIndex(), bytes);
        return bytes;
    }
}
