package io.rampart.server.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.rampart.core.BrokerCore;
import io.rampart.core.MqttLimits;
import io.rampart.core.message.Message;
import io.rampart.core.message.MessageProperties;
import io.rampart.core.route.Router;
import io.rampart.core.session.Session;
import io.rampart.core.topic.Topics;
import io.rampart.server.events.BrokerEvents;
import io.rampart.server.metrics.AuthzAction;
import io.rampart.server.tracing.PublishSpan;
import io.rampart.server.tracing.Tracing;

import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Inbound PUBLISH and PUBREL: topic aliases, validation against the limits, authorization, routing and
 * the QoS 1/2 acknowledgements. QoS 2 is delivered once, on first receipt; re-sent PUBLISHes with the
 * same packet identifier before PUBREL are only acknowledged again. A QoS 1/2 message the memory budget cannot take
 * is refused: an MQTT 5 client gets PUBACK/PUBREC 0x97 (Quota exceeded), an MQTT 3 client's PUBLISH is handed back to
 * the connection to be processed again once there is room (MQTT 3 has no negative acknowledgement). With distributed
 * tracing on, a recorded PUBLISH gets a {@link PublishSpan}.
 *
 * <p>In a cluster a QoS 1/2 message is acknowledged only once the other nodes that must deliver it have it (the router
 * hands over what to wait for); acknowledgements still leave in the order of the PUBLISHes. When the hand-off fails the
 * connection is closed unacknowledged, so the client sends the message again.
 */
final class InboundPublishes {

    /** Closes the connection because a message could not be handed to the cluster. */
    @FunctionalInterface
    interface HandoffFailure {
        void failed(String reason);
    }

    /** An acknowledgement waiting for its hand-off, or for those of earlier PUBLISHes. */
    private static final class PendingAck {
        final int qos;
        final int packetId;
        final int code;
        boolean done;
        Throwable failure;

        PendingAck(int qos, int packetId, int code) {
            this.qos = qos;
            this.packetId = packetId;
            this.code = code;
        }
    }


    private static final byte[] EMPTY = new byte[0];

    private final ChannelHandlerContext ctx;
    private final ListenerContext listener;
    private final BrokerCore core;
    private final MqttLimits limits;
    private final BrokerEvents events;
    private final HandoffFailure handoffFailure;
    private final Consumer<CompletionStage<Void>> handoffSink = stage -> this.handoff = stage;
    /** Run when a PUBLISH went into one of the fullest queues while the memory budget is short. */
    private final Runnable feedsFullest;
    /** {@code null} when distributed tracing is off. */
    private final Tracing tracing;
    /** The client's topic aliases towards the broker, by alias; allocated at the first alias. */
    private String[] aliases;
    /** What the message being routed must wait for before it is acknowledged, or {@code null}. */
    private CompletionStage<Void> handoff;
    /** Acknowledgements not yet written, in PUBLISH order; allocated at the first that has to wait. */
    private ArrayDeque<PendingAck> pendingAcks;

    InboundPublishes(ChannelHandlerContext ctx, ListenerContext listener, BrokerCore core, BrokerEvents events,
                     HandoffFailure handoffFailure, Runnable feedsFullest) {
        this.ctx = ctx;
        this.listener = listener;
        this.core = core;
        this.limits = core.limits();
        this.events = events;
        this.handoffFailure = handoffFailure;
        this.feedsFullest = feedsFullest;
        this.tracing = listener.tracing();
    }

    /**
     * Handles one PUBLISH.
     *
     * @return {@code false} when an MQTT 3 client's QoS 1/2 message did not fit into the memory budget: nothing was
     *         done, not even acknowledged, and the caller processes it again once there is room
     */
    boolean publish(Admission a, MqttPublishMessage msg) {
        PublishSpan trace = tracing == null ? null : tracing.publish(listener.name(), a.clientId(),
                msg.fixedHeader().qosLevel().value(), msg.fixedHeader().isRetain(), msg.payload().readableBytes(),
                a.v5() ? msg.variableHeader().properties() : MqttProperties.NO_PROPERTIES);
        if (trace == null) {
            return receive(a, msg, null);
        }
        try {
            return receive(a, msg, trace);
        } catch (ProtocolViolation violation) {
            trace.violation(violation.reasonCode, violation.getMessage());
            throw violation;
        } finally {
            trace.end();
        }
    }

    /** Handles a PUBLISH ({@link #publish}); {@code trace} is its span when it is recorded, else {@code null}. */
    private boolean receive(Admission a, MqttPublishMessage msg, PublishSpan trace) {
        MqttPublishVariableHeader header = msg.variableHeader();
        int qos = msg.fixedHeader().qosLevel().value();
        boolean retain = msg.fixedHeader().isRetain();
        int packetId = header.packetId();
        boolean v5 = a.v5();
        MqttProperties props = v5 ? header.properties() : MqttProperties.NO_PROPERTIES;

        String topic = resolveTopic(header.topicName(), props);
        String problem = Topics.validateTopicName(topic, limits.maxTopicLength(), limits.maxTopicLevels());
        if (problem != null) {
            throw new ProtocolViolation(ReasonCodes.TOPIC_NAME_INVALID, "PUBLISH topic: " + problem);
        }
        if (trace != null) {
            trace.topic(topic);
        }
        if (qos > limits.maxQos()) {
            throw new ProtocolViolation(ReasonCodes.QOS_NOT_SUPPORTED,
                    "PUBLISH QoS " + qos + " above the maximum " + limits.maxQos());
        }
        if (retain && !limits.retainAvailable()) {
            throw new ProtocolViolation(ReasonCodes.RETAIN_NOT_SUPPORTED, "retained messages are not available");
        }
        Session session = a.session();
        if (qos == 2 && session.isAwaitingRelease(packetId)) {
            // The client re-sent a QoS 2 PUBLISH before PUBREL: acknowledge, never route twice.
            ctx.write(Replies.pubReply(MqttMessageType.PUBREC, packetId, ReasonCodes.SUCCESS, null));
            return true;
        }
        if (qos == 1 && session.isAwaitingRelease(packetId)) {
            if (!v5) {
                // MQTT 3 has no way to refuse a PUBLISH: reusing an identifier still in use closes the connection.
                throw new ProtocolViolation(ReasonCodes.PACKET_ID_IN_USE,
                        "packet identifier " + packetId + " reused while its QoS 2 flow is open");
            }
            ctx.write(Replies.pubReply(MqttMessageType.PUBACK, packetId, ReasonCodes.PACKET_ID_IN_USE,
                    reasonString(a, "packet identifier " + packetId + " is in use by a QoS 2 flow")));
            return true;
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
                ctx.write(Replies.pubReply(qos == 1 ? MqttMessageType.PUBACK : MqttMessageType.PUBREC,
                        packetId, code, reasonString(a, invalid)));
                return true;
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

        if (trace != null) {
            trace.authorizing();
        }
        boolean allowed = a.permissions().mayPublish(topic, qos, retain);
        if (trace != null) {
            trace.authorized(allowed, a.manager(), a.realm());
        }
        if (!allowed) {
            notAuthorized(a, qos, packetId, topic, retain);
            return true;
        }
        if (listener.accessLog().logsAllowedPublish()) {
            listener.accessLog().publish(a.subject(), topic, qos, true, a.manager(), a.realm(), "allowed");
        }
        Message message = Message.of(topic, qos, retain, payload, properties, a.clientId(), expiry);
        if (trace != null) {
            message = message.withTrace(trace.routing());
        }
        int receivers = core.router().publish(message, feedsFullest, qos > 0 ? handoffSink : null);
        CompletionStage<Void> wait = handoff;
        handoff = null;
        if (receivers == Router.REFUSED) {
            if (trace != null) {
                trace.routed(0);
                if (a.v5()) {
                    trace.acknowledged(ReasonCodes.QUOTA_EXCEEDED);
                }
            }
            return refused(a, qos, packetId);
        }
        if (trace != null) {
            trace.routed(receivers);
        }
        if (qos == 2) {
            session.receiveQos2(packetId);
        }
        if (receivers == 0 && !retain) {
            events.noSubscribers();
        }
        int code = receivers == 0 && v5 ? ReasonCodes.NO_MATCHING_SUBSCRIBERS : ReasonCodes.SUCCESS;
        if (trace != null && qos > 0) {
            trace.acknowledged(code);
        }
        if (qos > 0) {
            acknowledge(a, qos, packetId, code, wait);
        }
        return true;
    }

    /**
     * The memory budget cannot take a QoS 1/2 message for all its receivers: MQTT 5 clients are told (0x97, the flow
     * ends there), MQTT 3 clients get nothing and the PUBLISH is processed again later.
     */
    private boolean refused(Admission a, int qos, int packetId) {
        if (!a.v5()) {
            return false;
        }
        events.publishRefused();
        if (pendingAcks != null && !pendingAcks.isEmpty()) {
            // Behind acknowledgements still waiting for their hand-off: it leaves in PUBLISH order.
            PendingAck pending = new PendingAck(qos, packetId, ReasonCodes.QUOTA_EXCEEDED);
            pending.done = true;
            pendingAcks.add(pending);
            return true;
        }
        String reason = reasonString(a, "the broker's memory budget for queued messages is exhausted");
        ctx.write(Replies.pubReply(qos == 1 ? MqttMessageType.PUBACK : MqttMessageType.PUBREC, packetId,
                ReasonCodes.QUOTA_EXCEEDED, reason));
        return true;
    }

    private void acknowledge(Admission a, int qos, int packetId, int code, CompletionStage<Void> wait) {
        if (wait == null && (pendingAcks == null || pendingAcks.isEmpty())) {
            writeAck(qos, packetId, code);
            return;
        }
        if (pendingAcks == null) {
            pendingAcks = new ArrayDeque<>();
        }
        PendingAck pending = new PendingAck(qos, packetId, code);
        pendingAcks.add(pending);
        if (wait == null) {
            pending.done = true;
            return;
        }
        wait.whenComplete((v, error) -> ctx.executor().execute(() -> {
            pending.done = true;
            pending.failure = error;
            flushAcks(a);
        }));
    }

    /** Writes the acknowledgements whose hand-offs (and all before them) are complete. */
    private void flushAcks(Admission a) {
        if (!ctx.channel().isActive()) {
            pendingAcks.clear();
            return;
        }
        boolean wrote = false;
        PendingAck p;
        while ((p = pendingAcks.peek()) != null && p.done) {
            pendingAcks.poll();
            if (p.failure != null) {
                // The client sends this message and the ones after it again: a QoS 2 resend must be routed again.
                a.session().release(p.packetId);
                for (PendingAck later : pendingAcks) {
                    if (later.qos == 2) {
                        a.session().release(later.packetId);
                    }
                }
                pendingAcks.clear();
                handoffFailure.failed("a message could not be handed to every node of the cluster ("
                        + rootMessage(p.failure) + ")");
                return;
            }
            writeAck(p.qos, p.packetId, p.code);
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
    }

    private void writeAck(int qos, int packetId, int code) {
        ctx.write(Replies.pubReply(qos == 1 ? MqttMessageType.PUBACK : MqttMessageType.PUBREC, packetId, code, null));
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage());
    }

    /**
     * A denied PUBLISH never reaches a subscriber. MQTT 5 clients get PUBACK/PUBREC 0x87 (or DISCONNECT 0x87
     * when the pipeline says so); MQTT 3 has no negative acknowledgement, so the flow is completed as usual.
     */
    private void notAuthorized(Admission a, int qos, int packetId, String topic, boolean retain) {
        String reason = "not authorized to publish to '" + topic + "' at QoS " + qos + (retain ? " with retain" : "");
        events.authzDenied(AuthzAction.PUBLISH);
        listener.accessLog().publishDenied(a.subject(), topic, qos, a.manager(), a.realm(), reason,
                a.permissions().explainPublish(topic, qos, retain));
        if (a.decision().disconnectOnPublishDenied()) {
            throw new ProtocolViolation(ReasonCodes.NOT_AUTHORIZED, reason);
        }
        if (!a.v5()) {
            if (qos == 1) {
                ctx.write(Replies.pubReply(MqttMessageType.PUBACK, packetId, ReasonCodes.SUCCESS, null));
            } else if (qos == 2) {
                a.session().receiveQos2(packetId);
                ctx.write(Replies.pubReply(MqttMessageType.PUBREC, packetId, ReasonCodes.SUCCESS, null));
            }
            return;
        }
        if (qos == 1) {
            ctx.write(Replies.pubReply(MqttMessageType.PUBACK, packetId, ReasonCodes.NOT_AUTHORIZED, reasonString(a, reason)));
        } else if (qos == 2) {
            ctx.write(Replies.pubReply(MqttMessageType.PUBREC, packetId, ReasonCodes.NOT_AUTHORIZED, reasonString(a, reason)));
        }
    }

    void pubrel(Admission a, int packetId) {
        boolean known = a.session().release(packetId);
        ctx.write(Replies.pubReply(MqttMessageType.PUBCOMP, packetId,
                known ? ReasonCodes.SUCCESS : ReasonCodes.PACKET_ID_NOT_FOUND, null));
    }

    /** The topic the client set for {@code alias}, or {@code null} (packet traces show aliased topics in full). */
    String aliasTopic(int alias) {
        return aliases == null || alias < 1 || alias >= aliases.length ? null : aliases[alias];
    }

    private String resolveTopic(String topicName, MqttProperties props) {
        Integer alias = ConnectProcessor.intProperty(props, MqttProperties.TOPIC_ALIAS);
        if (alias == null) {
            if (topicName.isEmpty()) {
                throw new ProtocolViolation(ReasonCodes.PROTOCOL_ERROR, "PUBLISH without topic name or topic alias");
            }
            return topicName;
        }
        int max = limits.topicAliasMaximum();
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
        if (Topics.validateTopicName(topicName, limits.maxTopicLength(), limits.maxTopicLevels()) == null) {
            aliases[alias] = topicName;
        }
        return topicName;
    }

    private static String reasonString(Admission a, String reason) {
        return a.v5() ? a.client().reasonString(Replies.PUB_REPLY_HEAD, reason) : null;
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
