package io.rampart.server.protocol;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.util.concurrent.ScheduledFuture;
import io.rampart.core.limit.TokenBucket;
import io.rampart.core.message.MessageProperties;
import io.rampart.core.session.DropReason;
import io.rampart.core.session.Outgoing;
import io.rampart.core.session.Session;
import io.rampart.security.limits.IdentityLimits;
import io.rampart.security.limits.LimitsSyntax;
import io.rampart.server.events.BrokerEvents;
import io.rampart.server.gate.ClientPermissions;
import io.rampart.server.metrics.AuthzAction;
import io.rampart.server.tracing.DeliverySpan;
import io.rampart.server.tracing.TracedDelivery;

import java.util.HashMap;
import java.util.concurrent.TimeUnit;

/**
 * The session's messages on their way to the client, within what the client declared at CONNECT: its receive
 * maximum (inflight window), its maximum packet size and its topic alias maximum (the broker's aliases live
 * here), and within its delivery rates ({@code deliveries-per-second}, {@code delivery-bytes-per-second}): over
 * them, messages wait in the session's queue (bounded by {@code max-queued-messages}) and the queue drains at the
 * rates. Also the acknowledgements of those messages (PUBACK, PUBREC, PUBCOMP). Created at CONNACK; lives on the
 * connection's event loop, which decides when to drain (writability, wake-ups, freed inflight slots). A delivery
 * recorded in a distributed trace gets a {@link DeliverySpan} and, for an MQTT 5 subscriber, carries its trace context
 * as user properties when the packet still fits the subscriber's maximum packet size with them.
 */
final class OutboundFlow {

    private final ChannelHandlerContext ctx;
    private final BrokerEvents events;
    private final Session session;
    private final ClientPermissions permissions;
    private final String clientId;
    private final boolean v5;
    private final ClientLimits client;
    /** The broker's topic aliases towards the client; {@code null} when it accepts none. */
    private final HashMap<String, Integer> aliases;
    private int nextAlias = 1;
    /** Drains again once the delivery rates allow (the connection's drain). */
    private final Runnable drainLater;
    private final String listener;
    private TokenBucket rateMessages;
    private TokenBucket rateBytes;
    private ScheduledFuture<?> rateWait;
    private boolean throttledBefore;
    private IdentityLimits limits;

    OutboundFlow(ChannelHandlerContext ctx, BrokerEvents events, String listener, Admission admission,
                 Runnable drainLater) {
        this.ctx = ctx;
        this.events = events;
        this.listener = listener;
        this.session = admission.session();
        this.permissions = admission.permissions();
        this.clientId = admission.clientId();
        this.v5 = admission.v5();
        this.client = admission.client();
        this.aliases = client.topicAliasMaximum() > 0 ? new HashMap<>() : null;
        this.drainLater = drainLater;
        limits(admission.limits(), System.nanoTime());
    }

    /** The delivery rates from now on (full buckets), from {@code limits}. */
    void limits(IdentityLimits newLimits, long now) {
        this.limits = newLimits;
        IdentityLimits.Rate m = newLimits.deliver();
        IdentityLimits.Rate b = newLimits.deliverBytes();
        rateMessages = m == null ? null : new TokenBucket(m.perSecond(), m.burst(), now);
        rateBytes = b == null ? null : new TokenBucket(b.perSecond(), b.burst(), now);
        if (rateWait != null) {
            rateWait.cancel(false);
            rateWait = null;
        }
    }

    /** The connection closed: a pending wait for the delivery rates is dropped. */
    void close() {
        if (rateWait != null) {
            rateWait.cancel(false);
            rateWait = null;
        }
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

    /**
     * Writes queued messages while the channel is writable, the inflight window has room and the delivery rates
     * allow; when the rates stop it, drains again once they allow more.
     */
    void drain() {
        boolean paced = rateMessages != null || rateBytes != null;
        if (paced && rateWait != null) {
            return; // over the delivery rates: the scheduled drain goes on
        }
        int written = 0;
        long now = System.nanoTime();
        while (ctx.channel().isWritable()) {
            Outgoing o = session.pollForSend(client.receiveMaximum(), now);
            if (o == null) {
                break;
            }
            long size = write(o, false);
            if (size > 0) {
                written++;
                if (paced) {
                    long wait = spend(size, now);
                    if (wait > 0) {
                        holdDeliveries(wait);
                        break;
                    }
                }
            }
        }
        if (written > 0) {
            ctx.flush();
        }
    }

    /** Spends a delivery from the rates; returns nanoseconds until they allow the next one (0: now). */
    private long spend(long packetBytes, long now) {
        long wait = rateMessages == null ? 0 : rateMessages.spend(1, now);
        return rateBytes == null ? wait : Math.max(wait, rateBytes.spend(packetBytes, now));
    }

    /** The delivery rates are used up: the queue drains again in {@code wait} nanoseconds. */
    private void holdDeliveries(long wait) {
        if (!throttledBefore) {
            throttledBefore = true;
            events.clientThrottled(listener, clientId, "deliver", LimitsSyntax.format(limits));
        }
        events.deliveryHeld();
        rateWait = ctx.executor().schedule(() -> {
            rateWait = null;
            drainLater.run();
        }, wait, TimeUnit.NANOSECONDS);
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

    /** Writes one message; returns its size on the wire, or 0 when it was dropped instead. */
    private long write(Outgoing o, boolean resend) {
        boolean dup = resend && o.isDuplicate();
        String topic = o.message().topic();
        DeliverySpan trace = o.trace() instanceof TracedDelivery traced
                ? traced.deliver(topic, o.qos(), o.packetId(), dup) : null;
        // Expiry first: an alias may only be registered for a PUBLISH that is actually written.
        long expiry = o.message().remainingExpirySeconds(System.nanoTime());
        if (expiry == 0 && dup) {
            // Delivery already started: the flow must be completed (MQTT 5 §4.4), with the least expiry left.
            expiry = 1;
        } else if (expiry == 0) {
            drop(o, DropReason.EXPIRED, trace);
            return 0;
        }
        if (!permissions.mayReceive(topic)) {
            // A wildcard subscription never delivers a topic this session may not read.
            events.authzDenied(AuthzAction.RECEIVE);
            drop(o, DropReason.NOT_AUTHORIZED, trace);
            return 0;
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
        MessageProperties properties = o.message().properties();
        if (trace != null) {
            if (v5) {
                properties = trace.forward(properties);
            } else {
                trace.notForwarded();
            }
        }
        OutboundPublish p = new OutboundPublish(o.message(), properties, o.qos(), dup, o.retain(),
                o.packetId(), wireTopic, alias, o.subscriptionIds(), expiry, v5);
        if (p.packetSize() > client.maximumPacketSize() && alias > 0 && !wireTopic.isEmpty()) {
            aliases.remove(topic);
            nextAlias--; // the alias was assigned just above and never reached the client
            wireTopic = topic;
            alias = 0;
            p = new OutboundPublish(o.message(), properties, o.qos(), dup, o.retain(),
                    o.packetId(), topic, 0, o.subscriptionIds(), expiry, v5);
        }
        if (p.packetSize() > client.maximumPacketSize() && properties != o.message().properties()) {
            // The trace context must not cost the subscriber the message: send it as published.
            trace.notForwarded();
            p = new OutboundPublish(o.message(), o.qos(), dup, o.retain(), o.packetId(), wireTopic, alias,
                    o.subscriptionIds(), expiry, v5);
        }
        if (p.packetSize() > client.maximumPacketSize()) {
            drop(o, DropReason.TOO_LARGE, trace);
            return 0;
        }
        ctx.write(p, trace == null ? ctx.voidPromise() : trace.written(ctx.newPromise()));
        if (o.qos() > 0) {
            session.markSent(o);
        }
        return p.packetSize();
    }

    private void drop(Outgoing o, DropReason reason, DeliverySpan trace) {
        session.discard(o);
        events.messageDropped(clientId, o.message(), o.qos(), reason);
        if (trace != null) {
            trace.dropped(reason);
        }
    }
}
