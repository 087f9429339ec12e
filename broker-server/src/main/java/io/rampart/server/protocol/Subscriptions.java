package io.rampart.server.protocol;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.rampart.core.BrokerCore;
import io.rampart.core.MqttLimits;
import io.rampart.core.session.SessionStore;
import io.rampart.core.topic.Subscription;
import io.rampart.core.topic.Topics;
import io.rampart.server.events.BrokerEvents;
import io.rampart.server.metrics.AuthzAction;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * SUBSCRIBE and UNSUBSCRIBE: per-filter validation, authorization and reason codes, and retained-message
 * delivery per Retain Handling (queued after the SUBACK is written). The session and the subscription index
 * are changed together by the core ({@link SessionStore#subscribe}, {@link SessionStore#unsubscribe}).
 *
 * <p>In a cluster SUBACK waits until the new filters are in every node's routing table, so a message published anywhere
 * after the SUBACK reaches the subscription.
 */
final class Subscriptions {

    private final ChannelHandlerContext ctx;
    private final ListenerContext listener;
    private final BrokerCore core;
    private final MqttLimits limits;
    private final BrokerEvents events;

    Subscriptions(ChannelHandlerContext ctx, ListenerContext listener, BrokerCore core, BrokerEvents events) {
        this.ctx = ctx;
        this.listener = listener;
        this.core = core;
        this.limits = core.limits();
        this.events = events;
    }

    void subscribe(Admission a, MqttSubscribeMessage msg) {
        int packetId = msg.idAndPropertiesVariableHeader().messageId();
        List<MqttTopicSubscription> requested = msg.payload().topicSubscriptions();
        if (requested.isEmpty()) {
            throw new ProtocolViolation(ReasonCodes.PROTOCOL_ERROR, "SUBSCRIBE without topic filters");
        }
        boolean v5 = a.v5();
        int subscriptionId = 0;
        if (v5) {
            MqttProperties props = msg.idAndPropertiesVariableHeader().properties();
            List<? extends MqttProperties.MqttProperty> ids = props.getProperties(MqttProperties.SUBSCRIPTION_IDENTIFIER);
            if (ids.size() > 1) {
                throw new ProtocolViolation(ReasonCodes.PROTOCOL_ERROR, "more than one subscription identifier");
            }
            if (!ids.isEmpty()) {
                subscriptionId = (Integer) ids.get(0).value();
                if (subscriptionId == 0) {
                    throw new ProtocolViolation(ReasonCodes.PROTOCOL_ERROR, "subscription identifier 0");
                }
            }
        }
        int[] codes = new int[requested.size()];
        Subscription[] granted = new Subscription[requested.size()];
        boolean[] existed = new boolean[requested.size()];
        for (int i = 0; i < codes.length; i++) {
            MqttTopicSubscription ts = requested.get(i);
            String fullFilter = ts.topicFilter();
            MqttSubscriptionOption option = ts.option();
            int qos = option.qos().value();
            String problem = Topics.validateTopicFilter(fullFilter, limits.maxTopicLength(), limits.maxTopicLevels());
            if (problem != null) {
                codes[i] = v5 ? ReasonCodes.TOPIC_FILTER_INVALID : ReasonCodes.V3_SUBACK_FAILURE;
                continue;
            }
            boolean shared = Topics.isShared(fullFilter);
            String group = shared ? Topics.shareGroup(fullFilter) : null;
            String filter = shared ? Topics.shareFilter(fullFilter) : fullFilter;
            if (shared && option.isNoLocal()) {
                throw new ProtocolViolation(ReasonCodes.PROTOCOL_ERROR, "No Local on shared subscription " + fullFilter);
            }
            if (shared && !limits.sharedSubscriptions()) {
                codes[i] = v5 ? ReasonCodes.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED : ReasonCodes.V3_SUBACK_FAILURE;
                continue;
            }
            if (!limits.wildcardSubscriptions() && Topics.hasWildcard(filter)) {
                codes[i] = v5 ? ReasonCodes.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED : ReasonCodes.V3_SUBACK_FAILURE;
                continue;
            }
            int grantedQos = Math.min(qos, limits.maxQos());
            boolean allowed = a.permissions().maySubscribe(filter, grantedQos, group);
            if (!allowed) {
                listener.accessLog().subscribeDenied(a.subject(), fullFilter, grantedQos, a.manager(), a.realm(),
                        "not authorized to subscribe to '" + fullFilter + "' at QoS " + grantedQos,
                        a.permissions().explainSubscribe(filter, grantedQos, group));
                events.authzDenied(AuthzAction.SUBSCRIBE);
                codes[i] = v5 ? ReasonCodes.NOT_AUTHORIZED : ReasonCodes.V3_SUBACK_FAILURE;
                continue;
            }
            Subscription sub = new Subscription(a.clientId(), filter, group, grantedQos,
                    v5 && option.isNoLocal(), v5 && option.isRetainAsPublished(),
                    v5 ? option.retainHandling().value() : 0, subscriptionId);
            SessionStore.Subscribed outcome = core.sessions().subscribe(a.session(), sub);
            if (outcome == SessionStore.Subscribed.QUOTA_EXCEEDED) {
                codes[i] = v5 ? ReasonCodes.QUOTA_EXCEEDED : ReasonCodes.V3_SUBACK_FAILURE;
                events.subscriptionRefused(a.clientId(), fullFilter, "the session holds "
                        + limits.maxSubscriptionsPerClient() + " subscriptions (mqtt.max-subscriptions-per-client)");
                continue;
            }
            // Logged once the subscription is in the index: messages published from now on reach it, without
            // waiting for the access log's write.
            listener.accessLog().subscribe(a.subject(), fullFilter, grantedQos, true, a.manager(), a.realm(), "allowed");
            existed[i] = outcome == SessionStore.Subscribed.REPLACED;
            granted[i] = sub;
            codes[i] = grantedQos;
            events.subscribed(a.clientId(), fullFilter, grantedQos);
        }
        CompletionStage<Void> settled = core.cluster().routes().settled();
        if (settled.toCompletableFuture().isDone()) {
            suback(a, packetId, codes, granted, existed);
            return;
        }
        settled.whenComplete((v, e) -> ctx.executor().execute(() -> {
            if (ctx.channel().isActive()) {
                suback(a, packetId, codes, granted, existed);
                ctx.flush();
            }
        }));
    }

    /** SUBACK, then the retained messages the new subscriptions receive. */
    private void suback(Admission a, int packetId, int[] codes, Subscription[] granted, boolean[] existed) {
        ctx.write(Replies.suback(packetId, codes));
        for (int i = 0; i < granted.length; i++) {
            Subscription sub = granted[i];
            if (sub == null || !limits.retainAvailable()) {
                continue;
            }
            if (sub.retainHandling() == 0 || (sub.retainHandling() == 1 && !existed[i])) {
                core.router().deliverRetained(a.session(), sub);
            }
        }
    }

    void unsubscribe(Admission a, MqttUnsubscribeMessage msg) {
        int packetId = msg.idAndPropertiesVariableHeader().messageId();
        List<String> filters = msg.payload().topics();
        if (filters.isEmpty()) {
            throw new ProtocolViolation(ReasonCodes.PROTOCOL_ERROR, "UNSUBSCRIBE without topic filters");
        }
        short[] codes = new short[filters.size()];
        for (int i = 0; i < codes.length; i++) {
            String fullFilter = filters.get(i);
            if (Topics.validateTopicFilter(fullFilter, limits.maxTopicLength(), limits.maxTopicLevels()) != null) {
                codes[i] = (short) ReasonCodes.TOPIC_FILTER_INVALID;
                continue;
            }
            if (core.sessions().unsubscribe(a.session(), fullFilter) == null) {
                codes[i] = (short) ReasonCodes.NO_SUBSCRIPTION_EXISTED;
                continue;
            }
            codes[i] = (short) ReasonCodes.SUCCESS;
            events.unsubscribed(a.clientId(), fullFilter);
        }
        ctx.write(Replies.unsuback(packetId, codes));
    }
}
