package io.rampart.server.protocol;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.rampart.core.session.DropReason;
import io.rampart.core.session.Outgoing;
import io.rampart.core.session.Session;
import io.rampart.server.events.BrokerEvents;
import io.rampart.server.gate.ClientPermissions;
import io.rampart.server.metrics.AuthzAction;

import java.util.HashMap;

/**
 * The session's messages on their way to the client, within what the client declared at CONNECT: its receive
 * maximum (inflight window), its maximum packet size and its topic alias maximum (the broker's aliases live
 * here). Also the acknowledgements of those messages (PUBACK, PUBREC, PUBCOMP). Created at CONNACK; lives on the
 * connection's event loop, which decides when to drain (writability, wake-ups, freed inflight slots).
 */
final class OutboundFlow {

    private final ChannelHandlerContext ctx;
    private final BrokerEvents events;
    private final Session session;
    private final ClientPermissions permissions;
    private final String clientId;
    private final boolean v5;
    private final ClientLimits client;
    private final HashMap<String, Integer> aliases = new HashMap<>();
    private int nextAlias = 1;

    OutboundFlow(ChannelHandlerContext ctx, BrokerEvents events, Admission admission) {
        this.ctx = ctx;
        this.events = events;
        this.session = admission.session();
        this.permissions = admission.permissions();
        this.clientId = admission.clientId();
        this.v5 = admission.v5();
        this.client = admission.client();
    }

    /** After CONNACK: resends what was in flight (with DUP, or PUBREL). */
    void resendInflight() {
        for (Outgoing o : session.inflightMessages()) {
            if (o.isReleasing()) {
                ctx.write(Replies.pubReply(MqttMessageType.PUBREL, o.packetId(), ReasonCodes.SUCCESS, null));
            } else {
                write(o, true);
            }
        }
    }

    /** Writes queued messages while the channel is writable and the inflight window has room. */
    void drain() {
        int written = 0;
        long now = System.nanoTime();
        while (ctx.channel().isWritable()) {
            Outgoing o = session.pollForSend(client.receiveMaximum(), now);
            if (o == null) {
                break;
            }
            if (write(o, false)) {
                written++;
            }
        }
        if (written > 0) {
            ctx.flush();
        }
    }

    /** PUBACK: returns whether it completed a QoS 1 flow (a slot of the window is free). */
    boolean puback(int packetId) {
        return session.puback(packetId) != null;
    }

    /**
     * PUBREC: answers PUBREL, or with an error reason code (MQTT 5) ends the flow. Returns whether a slot of the
     * window is free.
     */
    boolean pubrec(MqttMessage message) {
        int id = MqttConnection.packetId(message);
        int reason = 0;
        if (message.variableHeader() instanceof MqttPubReplyMessageVariableHeader v) {
            reason = v.reasonCode() & 0xFF;
        }
        if (reason >= 0x80) {
            return session.abandon(id) != null;
        }
        boolean known = session.pubrec(id);
        ctx.write(Replies.pubReply(MqttMessageType.PUBREL, id,
                known ? ReasonCodes.SUCCESS : ReasonCodes.PACKET_ID_NOT_FOUND, null));
        return false;
    }

    /** PUBCOMP: returns whether it completed a QoS 2 flow (a slot of the window is free). */
    boolean pubcomp(int packetId) {
        return session.pubcomp(packetId) != null;
    }

    private boolean write(Outgoing o, boolean resend) {
        // Expiry first: an alias may only be registered for a PUBLISH that is actually written.
        long expiry = o.message().remainingExpirySeconds(System.nanoTime());
        if (expiry == 0 && resend && o.isDuplicate()) {
            // Delivery already started: the flow must be completed (MQTT 5 §4.4), with the least expiry left.
            expiry = 1;
        } else if (expiry == 0) {
            session.discard(o);
            events.messageDropped(clientId, o.message(), o.qos(), DropReason.EXPIRED);
            return false;
        }
        String topic = o.message().topic();
        if (!permissions.mayReceive(topic)) {
            // A wildcard subscription never delivers a topic this session may not read.
            session.discard(o);
            events.authzDenied(AuthzAction.RECEIVE);
            events.messageDropped(clientId, o.message(), o.qos(), DropReason.NOT_AUTHORIZED);
            return false;
        }
        int alias = 0;
        String wireTopic = topic;
        if (client.topicAliasMaximum() > 0) {
            Integer existing = aliases.get(topic);
            if (existing != null) {
                alias = existing;
                wireTopic = "";
            } else if (nextAlias <= client.topicAliasMaximum()) {
                alias = nextAlias++;
                aliases.put(topic, alias);
            }
        }
        OutboundPublish p = new OutboundPublish(o.message(), o.qos(), resend && o.isDuplicate(), o.retain(),
                o.packetId(), wireTopic, alias, o.subscriptionIds(), expiry, v5);
        if (p.packetSize() > client.maximumPacketSize() && alias > 0 && !wireTopic.isEmpty()) {
            aliases.remove(topic);
            nextAlias--; // the alias was assigned just above and never reached the client
            p = new OutboundPublish(o.message(), o.qos(), resend && o.isDuplicate(), o.retain(),
                    o.packetId(), topic, 0, o.subscriptionIds(), expiry, v5);
        }
        if (p.packetSize() > client.maximumPacketSize()) {
            session.discard(o);
            events.messageDropped(clientId, o.message(), o.qos(), DropReason.TOO_LARGE);
            return false;
        }
        ctx.write(p, ctx.voidPromise());
        if (o.qos() > 0) {
            session.markSent(o);
        }
        return true;
    }
}
