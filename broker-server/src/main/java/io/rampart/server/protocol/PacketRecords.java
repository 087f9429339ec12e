package io.rampart.server.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.rampart.admin.api.RuleJson;
import io.rampart.core.message.MessageProperties;
import io.rampart.core.message.UserProperty;
import io.rampart.core.topic.Topics;
import io.rampart.security.permission.CompiledPermissions;
import io.rampart.server.gate.ClientPermissions;
import io.rampart.server.gate.ConnectDecision;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields of a traced packet, read from the packet as decoded or as about to be encoded. Never a password or
 * authentication data; correlation data and user properties only where payloads are wanted (they are the
 * message's content, as for retained messages in the admin API).
 */
final class PacketRecords {

    private PacketRecords() {
    }

    /** What a traced CONNECT shows; its decision is added when the gate has answered. */
    static Map<String, Object> connect(MqttConnectMessage msg, boolean payloads, List<String> topics) {
        Map<String, Object> f = new LinkedHashMap<>();
        var header = msg.variableHeader();
        var payload = msg.payload();
        f.put("protocolVersion", header.version());
        f.put("cleanStart", header.isCleanSession());
        f.put("keepAlive", header.keepAliveTimeSeconds());
        f.put("username", payload.userName());
        f.put("password", header.hasPassword());
        if (header.isWillFlag()) {
            Map<String, Object> will = new LinkedHashMap<>();
            will.put("topic", payload.willTopic());
            will.put("qos", header.willQos());
            will.put("retain", header.isWillRetain());
            byte[] willPayload = payload.willMessageInBytes();
            will.put("payloadSize", willPayload == null ? 0 : willPayload.length);
            if (payloads && willPayload != null) {
                will.put("payload", Base64.getEncoder().encodeToString(willPayload));
            }
            properties(will, payload.willProperties(), payloads);
            f.put("will", will);
            topics.add(payload.willTopic());
        }
        properties(f, header.properties(), payloads);
        return f;
    }

    /**
     * The gate's answer to a CONNECT, or a refusal for another reason ({@code decision} {@code null}); a CONNECT the
     * identity's client-id rules refused names the rule.
     */
    static Map<String, Object> connectDecision(ConnectDecision decision, boolean admitted, String refusal,
                                               String clientId) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("result", admitted ? "allowed" : "denied");
        d.put("manager", decision == null ? null : decision.manager());
        d.put("realm", decision == null ? null : decision.realm());
        if (decision != null && decision.identity() != null) {
            d.put("identity", decision.identity());
        }
        d.put("reason", admitted ? "authenticated as '" + decision.identity() + "'"
                : refusal != null ? refusal : decision == null ? null : decision.reason());
        // An empty client id is assigned by the broker, which client-id rules leave alone.
        if (!admitted && decision != null && decision.accepted() && clientId != null && !clientId.isEmpty()) {
            CompiledPermissions.Verdict rule = decision.permissions().explainClientId(clientId);
            if (rule != null && !rule.allowed()) {
                putRule(d, rule);
            }
        }
        return d;
    }

    /** The decision of a PUBLISH or SUBSCRIBE with the rule that decided it, when the permissions name one. */
    static Map<String, Object> decision(boolean allowed, Admission a, String deniedReason,
                                        CompiledPermissions.Verdict rule) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("result", allowed ? "allowed" : "denied");
        d.put("manager", a.manager());
        d.put("realm", a.realm());
        d.put("reason", allowed ? "allowed" : deniedReason);
        putRule(d, rule);
        return d;
    }

    /** {@code verdict} (one line) and {@code rule} (as the policy simulator shows it, {@code null}: default deny). */
    private static void putRule(Map<String, Object> d, CompiledPermissions.Verdict rule) {
        if (rule != null) {
            d.put("verdict", rule.reason());
            d.put("rule", RuleJson.decidingRule(rule));
        }
    }

    /**
     * An inbound PUBLISH; {@code topic} already resolved from its alias, {@code a} {@code null} while the CONNECT is
     * still being decided (no decision then).
     */
    static Map<String, Object> publishIn(MqttPublishMessage msg, String topic, Admission a, boolean payloads) {
        Map<String, Object> f = new LinkedHashMap<>();
        int qos = msg.fixedHeader().qosLevel().value();
        boolean retain = msg.fixedHeader().isRetain();
        if (qos > 0) {
            f.put("packetId", msg.variableHeader().packetId());
        }
        f.put("qos", qos);
        f.put("dup", msg.fixedHeader().isDup());
        f.put("retain", retain);
        f.put("payloadSize", msg.payload().readableBytes());
        properties(f, msg.variableHeader().properties(), payloads);
        if (a != null && topic != null && Topics.validateTopicName(topic, 65_535, 65_535) == null) {
            // Only tapped connections get here: the recorded client pays for naming the rule, nobody else.
            ClientPermissions permissions = a.permissions();
            CompiledPermissions.Verdict rule = permissions.explainPublish(topic, qos, retain);
            boolean allowed = rule != null ? rule.allowed() : permissions.mayPublish(topic, qos, retain);
            f.put("decision", decision(allowed, a, "not authorized to publish to '" + topic + "' at QoS " + qos
                    + (retain ? " with retain" : ""), rule));
        }
        return f;
    }

    static byte[] payload(ByteBuf buf) {
        return ByteBufUtil.getBytes(buf, buf.readerIndex(), buf.readableBytes());
    }

    /** An inbound SUBSCRIBE with the decision for each filter (as the broker grants it: QoS capped by max-qos). */
    static Map<String, Object> subscribe(MqttSubscribeMessage msg, Admission a, int maxQos, boolean payloads,
                                         List<String> topics) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("packetId", msg.idAndPropertiesVariableHeader().messageId());
        List<Map<String, Object>> subs = new ArrayList<>();
        for (MqttTopicSubscription ts : msg.payload().topicSubscriptions()) {
            Map<String, Object> s = new LinkedHashMap<>();
            String full = ts.topicFilter();
            int qos = ts.option().qos().value();
            s.put("filter", full);
            s.put("qos", qos);
            s.put("noLocal", ts.option().isNoLocal());
            s.put("retainAsPublished", ts.option().isRetainAsPublished());
            s.put("retainHandling", ts.option().retainHandling().value());
            topics.add(full);
            if (a != null && Topics.validateTopicFilter(full, 65_535, 65_535) == null) {
                boolean shared = Topics.isShared(full);
                String filter = shared ? Topics.shareFilter(full) : full;
                int granted = Math.min(qos, maxQos);
                String group = shared ? Topics.shareGroup(full) : null;
                CompiledPermissions.Verdict rule = a.permissions().explainSubscribe(filter, granted, group);
                boolean allowed = rule != null ? rule.allowed() : a.permissions().maySubscribe(filter, granted, group);
                s.put("decision", decision(allowed, a, "not authorized to subscribe to '" + full + "' at QoS "
                        + granted, rule));
            }
            subs.add(s);
        }
        f.put("subscriptions", subs);
        properties(f, msg.idAndPropertiesVariableHeader().properties(), payloads);
        return f;
    }

    static Map<String, Object> unsubscribe(MqttUnsubscribeMessage msg, boolean payloads, List<String> topics) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("packetId", msg.idAndPropertiesVariableHeader().messageId());
        topics.addAll(msg.payload().topics());
        f.put("filters", List.copyOf(msg.payload().topics()));
        properties(f, msg.idAndPropertiesVariableHeader().properties(), payloads);
        return f;
    }

    /** An outbound PUBLISH, with its topic in full even when only the alias goes on the wire. */
    static Map<String, Object> publishOut(OutboundPublish p, boolean payloads) {
        Map<String, Object> f = new LinkedHashMap<>();
        if (p.qos > 0) {
            f.put("packetId", p.packetId);
        }
        f.put("qos", p.qos);
        f.put("dup", p.dup);
        f.put("retain", p.retain);
        f.put("payloadSize", p.message.payload().length);
        if (p.topicAlias > 0) {
            f.put("topicAlias", p.topicAlias);
        }
        if (p.subscriptionIds != null && p.subscriptionIds.length > 0) {
            List<Integer> ids = new ArrayList<>();
            for (int id : p.subscriptionIds) {
                ids.add(id);
            }
            f.put("subscriptionIds", ids);
        }
        if (p.v5 && p.expirySeconds >= 0) {
            f.put("messageExpiryInterval", p.expirySeconds);
        }
        MessageProperties mp = p.message.properties();
        if (mp != null && !mp.isEmpty()) {
            Map<String, Object> props = new LinkedHashMap<>();
            putIfPresent(props, "payloadFormatIndicator", mp.payloadFormatIndicator());
            putIfPresent(props, "contentType", mp.contentType());
            putIfPresent(props, "responseTopic", mp.responseTopic());
            if (payloads && mp.correlationData() != null) {
                props.put("correlationData", Base64.getEncoder().encodeToString(mp.correlationData()));
            }
            if (payloads && !mp.userProperties().isEmpty()) {
                List<Map<String, String>> user = new ArrayList<>();
                for (UserProperty u : mp.userProperties()) {
                    user.add(pair(u.name(), u.value()));
                }
                props.put("userProperties", user);
            }
            if (!props.isEmpty()) {
                f.put("properties", props);
            }
        }
        return f;
    }

    /** Every other packet: packet id, reason code(s) and properties, as far as the packet has them. */
    static Map<String, Object> other(MqttMessage m, boolean payloads) {
        Map<String, Object> f = new LinkedHashMap<>();
        Object header = m.variableHeader();
        if (m instanceof MqttConnAckMessage ack) {
            f.put("reasonCode", hex(ack.variableHeader().connectReturnCode().byteValue() & 0xFF));
            f.put("sessionPresent", ack.variableHeader().isSessionPresent());
            properties(f, ack.variableHeader().properties(), payloads);
            return f;
        }
        if (header instanceof MqttMessageIdVariableHeader id) {
            f.put("packetId", id.messageId());
        }
        if (m instanceof MqttSubAckMessage ack) {
            f.put("reasonCodes", ack.payload().reasonCodes().stream().map(PacketRecords::hex).toList());
        } else if (m instanceof MqttUnsubAckMessage ack && ack.payload() != null) {
            f.put("reasonCodes", ack.payload().unsubscribeReasonCodes().stream()
                    .map(c -> hex(c & 0xFFFF)).toList());
        }
        if (header instanceof MqttPubReplyMessageVariableHeader reply) {
            f.put("reasonCode", hex(reply.reasonCode() & 0xFF));
            properties(f, reply.properties(), payloads);
        } else if (header instanceof MqttReasonCodeAndPropertiesVariableHeader rc) {
            f.put("reasonCode", hex(rc.reasonCode() & 0xFF));
            properties(f, rc.properties(), payloads);
        } else if (header instanceof MqttMessageIdAndPropertiesVariableHeader ip) {
            properties(f, ip.properties(), payloads);
        }
        return f;
    }

    /** MQTT 5 properties by name; authentication data never, correlation data and user properties with payloads. */
    private static void properties(Map<String, Object> into, MqttProperties props, boolean payloads) {
        if (props == null || props.isEmpty()) {
            return;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (MqttProperties.MqttProperty<?> p : props.listAll()) {
            int id = p.propertyId();
            if (id == MqttProperties.AUTHENTICATION_DATA) {
                continue;
            }
            if (!payloads && (id == MqttProperties.USER_PROPERTY || id == MqttProperties.CORRELATION_DATA)) {
                continue;
            }
            String name = propertyName(id);
            Object value = p.value();
            if (value instanceof byte[] bytes) {
                out.put(name, Base64.getEncoder().encodeToString(bytes));
            } else if (p instanceof MqttProperties.UserProperties user) {
                List<Map<String, String>> pairs = new ArrayList<>();
                for (MqttProperties.StringPair pair : user.value()) {
                    pairs.add(pair(pair.key, pair.value));
                }
                out.put(name, pairs);
            } else if (p instanceof MqttProperties.UserProperty user) {
                @SuppressWarnings("unchecked")
                List<Map<String, String>> pairs = (List<Map<String, String>>) out.computeIfAbsent(name,
                        k -> new ArrayList<Map<String, String>>());
                pairs.add(pair(user.value().key, user.value().value));
            } else {
                out.put(name, value);
            }
        }
        if (!out.isEmpty()) {
            into.put("properties", out);
        }
    }

    private static Map<String, String> pair(String name, String value) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("value", value);
        return m;
    }

    private static void putIfPresent(Map<String, Object> into, String key, Object value) {
        if (value != null) {
            into.put(key, value);
        }
    }

    /** {@code SESSION_EXPIRY_INTERVAL} as {@code sessionExpiryInterval}. */
    static String propertyName(int id) {
        String constant;
        try {
            constant = MqttProperties.MqttPropertyType.valueOf(id).name();
        } catch (IllegalArgumentException e) {
            return "property" + id;
        }
        StringBuilder b = new StringBuilder(constant.length());
        boolean upper = false;
        for (char c : constant.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                b.append(upper ? c : Character.toLowerCase(c));
                upper = false;
            }
        }
        return b.toString();
    }

    static String hex(int code) {
        return String.format("0x%02x", code);
    }
}
