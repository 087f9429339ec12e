package io.rampart.server.tracing;

import io.opentelemetry.api.common.AttributeKey;

/**
 * The attributes of the broker's spans: OpenTelemetry's semantic-convention names where one fits, {@code mqtt.*}
 * and {@code rampart.*} for the rest. None carries a password, token, authentication data or payload.
 */
final class TraceAttributes {

    static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> CLIENT_ID = AttributeKey.stringKey("messaging.client.id");
    static final AttributeKey<Long> BODY_SIZE = AttributeKey.longKey("messaging.message.body.size");
    static final AttributeKey<String> PROTOCOL_NAME = AttributeKey.stringKey("network.protocol.name");
    static final AttributeKey<String> PROTOCOL_VERSION = AttributeKey.stringKey("network.protocol.version");
    static final AttributeKey<String> PEER_ADDRESS = AttributeKey.stringKey("network.peer.address");
    static final AttributeKey<Long> PEER_PORT = AttributeKey.longKey("network.peer.port");
    static final AttributeKey<String> IDENTITY = AttributeKey.stringKey("enduser.id");

    static final AttributeKey<Long> QOS = AttributeKey.longKey("mqtt.qos");
    static final AttributeKey<Boolean> RETAIN = AttributeKey.booleanKey("mqtt.retain");
    static final AttributeKey<Boolean> DUP = AttributeKey.booleanKey("mqtt.dup");
    static final AttributeKey<Long> PACKET_ID = AttributeKey.longKey("mqtt.packet_id");
    static final AttributeKey<Long> REASON_CODE = AttributeKey.longKey("mqtt.reason_code");

    static final AttributeKey<String> LISTENER = AttributeKey.stringKey("rampart.listener");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("rampart.outcome");
    static final AttributeKey<String> REASON = AttributeKey.stringKey("rampart.reason");
    /** {@code invalid} on a PUBLISH whose {@code traceparent} could not be continued (a new trace was started). */
    static final AttributeKey<String> TRACE_CONTEXT = AttributeKey.stringKey("rampart.trace_context");
    static final AttributeKey<String> CHAIN = AttributeKey.stringKey("rampart.security.chain");
    static final AttributeKey<String> MANAGER = AttributeKey.stringKey("rampart.security.manager");
    static final AttributeKey<String> REALM = AttributeKey.stringKey("rampart.security.realm");
    static final AttributeKey<Long> RECEIVERS = AttributeKey.longKey("rampart.route.receivers");
    static final AttributeKey<Long> UNTRACED_DELIVERIES = AttributeKey.longKey("rampart.route.untraced_deliveries");
    static final AttributeKey<Boolean> QUEUED = AttributeKey.booleanKey("rampart.delivery.queued");
    static final AttributeKey<Boolean> CONTEXT_FORWARDED = AttributeKey.booleanKey("rampart.delivery.context_forwarded");

    private TraceAttributes() {
    }
}
