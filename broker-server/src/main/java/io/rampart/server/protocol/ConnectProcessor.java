package io.rampart.server.protocol;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.rampart.core.MqttLimits;
import io.rampart.core.session.SessionStore;
import io.rampart.core.session.Will;
import io.rampart.core.topic.Topics;
import io.rampart.server.gate.ConnectDecision;
import io.rampart.server.gate.ConnectRequest;
import io.rampart.server.metrics.AuthzAction;
import io.rampart.server.metrics.CloseReason;
import io.rampart.server.pipeline.LingeringClose;
import io.rampart.server.pipeline.PipelineNames;
import io.rampart.server.pipeline.PreAuthLimit;
import io.rampart.server.security.AccessLog;
import io.rampart.tls.ClientCertificates;

import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * CONNECT handling: validates the packet against the protocol and the broker's limits, asks the
 * listener's gate (reading is paused until it answers), binds the session and answers CONNACK.
 */
final class ConnectProcessor {

    /** Where netty-codec-mqtt records the protocol version it read from CONNECT. */
    static final AttributeKey<MqttVersion> MQTT_VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");

    private final MqttConnection c;

    ConnectProcessor(MqttConnection connection) {
        this.c = connection;
    }

    /** A CONNECT the decoder could not read: answer with the matching CONNACK where one exists, then close. */
    void decodeFailure(Throwable cause) {
        ChannelHandlerContext ctx = c.ctx;
        String reason = MqttConnection.describe(cause);
        MqttVersion decoded = ctx.channel().attr(MQTT_VERSION).get();
        Integer version = decoded == null ? null : (int) decoded.protocolLevel();
        int code;
        boolean v5 = version != null && version == 5;
        if (cause instanceof MqttUnacceptableProtocolVersionException) {
            code = ReasonCodes.V3_UNACCEPTABLE_PROTOCOL;
            v5 = false;
        } else if (cause instanceof MqttIdentifierRejectedException) {
            code = v5 ? ReasonCodes.CLIENT_ID_NOT_VALID : ReasonCodes.V3_IDENTIFIER_REJECTED;
        } else if (v5) {
            code = cause instanceof TooLongFrameException ? ReasonCodes.PACKET_TOO_LARGE : ReasonCodes.MALFORMED_PACKET;
        } else {
            refuseSilently(reason);
            return;
        }
        refuse(code, v5, reason, null);
    }

    void connect(MqttConnectMessage msg) {
        MqttConnectVariableHeader header = msg.variableHeader();
        MqttConnectPayload payload = msg.payload();
        MqttLimits limits = c.limits;
        int version = header.version();
        c.protocolVersion = version;
        boolean v5 = version == 5;
        MqttProperties props = header.properties();

        String clientId = payload.clientIdentifier();
        boolean cleanStart = header.isCleanSession();
        long sessionExpiry;
        if (v5) {
            Integer rpi = intProperty(props, MqttProperties.REQUEST_PROBLEM_INFORMATION);
            if (rpi != null && rpi > 1) {
                refuse(ReasonCodes.PROTOCOL_ERROR, true, "request problem information must be 0 or 1", clientId);
                return;
            }
            c.requestProblemInformation = rpi == null || rpi == 1;
            Integer rri = intProperty(props, MqttProperties.REQUEST_RESPONSE_INFORMATION);
            if (rri != null && rri > 1) {
                refuse(ReasonCodes.PROTOCOL_ERROR, true, "request response information must be 0 or 1", clientId);
                return;
            }
            Integer expiry = intProperty(props, MqttProperties.SESSION_EXPIRY_INTERVAL);
            sessionExpiry = expiry == null ? 0 : Integer.toUnsignedLong(expiry);
            Integer receiveMax = intProperty(props, MqttProperties.RECEIVE_MAXIMUM);
            if (receiveMax != null) {
                if (receiveMax == 0) {
                    refuse(ReasonCodes.PROTOCOL_ERROR, true, "receive maximum of 0", clientId);
                    return;
                }
                c.clientReceiveMaximum = receiveMax;
            }
            Integer maxPacket = intProperty(props, MqttProperties.MAXIMUM_PACKET_SIZE);
            if (maxPacket != null) {
                if (maxPacket == 0) {
                    refuse(ReasonCodes.PROTOCOL_ERROR, true, "maximum packet size of 0", clientId);
                    return;
                }
                c.clientMaximumPacketSize = Integer.toUnsignedLong(maxPacket);
            }
            Integer aliasMax = intProperty(props, MqttProperties.TOPIC_ALIAS_MAXIMUM);
            c.clientTopicAliasMaximum = aliasMax == null ? 0 : aliasMax;
            String method = EnhancedAuth.methodOf(props);
            if (method != null) {
                if (!c.gate().supportsAuthMethod(method)) {
                    refuse(ReasonCodes.BAD_AUTHENTICATION_METHOD, true, "authentication method '" + method
                            + "' is not supported on this listener", clientId);
                    return;
                }
                c.enhancedAuth.method = method;
            } else if (props.getProperty(MqttProperties.AUTHENTICATION_DATA) != null) {
                refuse(ReasonCodes.PROTOCOL_ERROR, true, "authentication data without an authentication method", clientId);
                return;
            }
        } else {
            sessionExpiry = cleanStart ? 0 : MqttLimits.MQTT_MAX_SESSION_EXPIRY;
        }
        long grantedExpiry = Math.min(sessionExpiry, limits.maxSessionExpirySeconds());

        boolean assigned = false;
        if (clientId == null || clientId.isEmpty()) {
            if (!v5 && !cleanStart) {
                refuse(ReasonCodes.V3_IDENTIFIER_REJECTED, false,
                        "empty client identifier requires clean session", clientId);
                return;
            }
            clientId = "rampart-" + UUID.randomUUID();
            assigned = true;
        } else if (clientId.codePointCount(0, clientId.length()) > limits.maxClientIdLength()) {
            refuse(v5 ? ReasonCodes.CLIENT_ID_NOT_VALID : ReasonCodes.V3_IDENTIFIER_REJECTED, v5,
                    "client identifier longer than " + limits.maxClientIdLength() + " characters", null);
            return;
        }

        int keepAlive = header.keepAliveTimeSeconds();
        int serverKeepAlive = keepAlive;
        if (keepAlive > limits.maxKeepAliveSeconds() || (keepAlive == 0 && !limits.allowZeroKeepAlive())) {
            if (!v5) {
                refuse(ReasonCodes.V3_IDENTIFIER_REJECTED, false,
                        "keep alive " + keepAlive + " outside the allowed range", clientId);
                return;
            }
            serverKeepAlive = limits.maxKeepAliveSeconds();
        }

        if (!v5 && header.hasPassword() && !header.hasUserName()) {
            refuseSilently("password without user name");
            return;
        }

        Will will = null;
        if (header.isWillFlag()) {
            String problem = Topics.validateTopicName(payload.willTopic(), limits.maxTopicLength(), limits.maxTopicLevels());
            if (problem != null) {
                refuse(v5 ? ReasonCodes.TOPIC_NAME_INVALID : ReasonCodes.V3_IDENTIFIER_REJECTED, v5,
                        "will topic: " + problem, clientId, !v5);
                return;
            }
            if (header.willQos() > limits.maxQos()) {
                refuse(v5 ? ReasonCodes.QOS_NOT_SUPPORTED : ReasonCodes.V3_SERVER_UNAVAILABLE, v5,
                        "will QoS " + header.willQos() + " above the maximum " + limits.maxQos(), clientId, !v5);
                return;
            }
            if (header.isWillRetain() && !limits.retainAvailable()) {
                refuse(v5 ? ReasonCodes.RETAIN_NOT_SUPPORTED : ReasonCodes.V3_SERVER_UNAVAILABLE, v5,
                        "retained will but retain is not available", clientId, !v5);
                return;
            }
            MqttProperties wp = payload.willProperties();
            long willDelay = 0;
            long messageExpiry = 0;
            if (v5) {
                Integer d = intProperty(wp, MqttProperties.WILL_DELAY_INTERVAL);
                willDelay = d == null ? 0 : Integer.toUnsignedLong(d);
                Integer e = intProperty(wp, MqttProperties.PUBLICATION_EXPIRY_INTERVAL);
                messageExpiry = e == null ? 0 : Integer.toUnsignedLong(e);
                if (limits.maxMessageExpirySeconds() > 0
                        && (messageExpiry == 0 || messageExpiry > limits.maxMessageExpirySeconds())) {
                    messageExpiry = limits.maxMessageExpirySeconds();
                }
            }
            will = new Will(payload.willTopic(), header.willQos(), header.isWillRetain(),
                    payload.willMessageInBytes() == null ? new byte[0] : payload.willMessageInBytes(),
                    v5 ? MessagePropertiesCodec.fromMqtt(wp) : null, messageExpiry, willDelay);
            if (v5) {
                String problemWill = MessagePropertiesCodec.validate(wp, will.payload());
                if (problemWill != null) {
                    refuse(problemWill.startsWith("payload") ? ReasonCodes.PAYLOAD_FORMAT_INVALID : ReasonCodes.PROTOCOL_ERROR,
                            true, "will: " + problemWill, clientId);
                    return;
                }
            }
        }

        c.clientId = clientId;
        c.username = payload.userName();
        c.state = MqttConnection.State.AUTHENTICATING;
        String authMethod = c.enhancedAuth.method;
        ConnectRequest request = new ConnectRequest(c.listener.name(), clientId, payload.userName(),
                payload.passwordInBytes(), c.ctx.channel().remoteAddress(), version, authMethod,
                authMethod == null ? null : EnhancedAuth.dataOf(props),
                c.ctx.channel().attr(ClientCertificates.VARIABLES).get());
        Will finalWill = will;
        boolean finalAssigned = assigned;
        int finalServerKeepAlive = serverKeepAlive;
        long finalExpiry = grantedExpiry;
        boolean expiryChanged = v5 && grantedExpiry != sessionExpiry;
        int finalKeepAlive = keepAlive;
        long started = System.nanoTime();
        CompletionStage<ConnectDecision> answer = c.gate().authenticate(request);
        if (answer instanceof CompletableFuture<ConnectDecision> known && known.isDone()) {
            // An immediate answer (anonymous listener): finish now. Reading never has to pause, which saves
            // two epoll_ctl calls and a task hop per connection.
            known.whenComplete((decision, error) -> decided(decision, error, request, cleanStart, finalExpiry,
                    expiryChanged, finalWill, finalAssigned, finalKeepAlive, finalServerKeepAlive, started));
            return;
        }
        // Gate until authenticated: nothing more is read until the decision is in.
        c.ctx.channel().config().setAutoRead(false);
        answer.whenComplete((decision, error) -> c.ctx.executor().execute(() -> decided(decision, error, request,
                cleanStart, finalExpiry, expiryChanged, finalWill, finalAssigned, finalKeepAlive, finalServerKeepAlive,
                started)));
    }

    private void decided(ConnectDecision answer, Throwable error, ConnectRequest request, boolean cleanStart,
                         long expiry, boolean expiryChanged, Will will, boolean assignedId, int keepAlive,
                         int serverKeepAlive, long started) {
        ConnectDecision decision = answer;
        if (error != null || decision == null) {
            decision = ConnectDecision.refuse(ConnectDecision.Outcome.SERVER_UNAVAILABLE,
                    "authentication failed: " + (error == null ? "no decision" : error.getMessage()), "gate", null);
        }
        c.events.authDecision(decision.manager(), decision.realm(), decision.accepted(), kind(decision.outcome()),
                System.nanoTime() - started);
        if (request.password() != null) {
            Arrays.fill(request.password(), (byte) 0);
        }
        if (request.authData() != null) {
            Arrays.fill(request.authData(), (byte) 0);
        }
        complete(decision, cleanStart, expiry, expiryChanged, will, assignedId, keepAlive, serverKeepAlive);
    }

    private void complete(ConnectDecision decision, boolean cleanStart, long expiry, boolean expiryChanged, Will will,
                          boolean assignedId, int keepAlive, int serverKeepAlive) {
        ChannelHandlerContext ctx = c.ctx;
        if (c.state != MqttConnection.State.AUTHENTICATING || !ctx.channel().isActive()) {
            return;
        }
        boolean v5 = c.isV5();
        AccessLog accessLog = c.listener.accessLog();
        AccessLog.Subject subject = c.accessSubject().withIdentity(decision.identity());
        if (!decision.accepted()) {
            accessLog.connect(subject, false, kind(decision.outcome()), decision.manager(), decision.realm(),
                    logReason(decision.reason(), decision));
            refuse(v5 ? decision.outcome().v5Code() : decision.outcome().v3Code(), v5, decision.reason(), c.clientId);
            return;
        }
        // A client id the broker assigned is unique, so it cannot be anyone else's: client-id rules leave it alone.
        String clientIdRefusal = assignedId ? null : decision.permissions().clientIdRefusal(c.clientId);
        if (clientIdRefusal != null) {
            accessLog.connect(subject, false, AccessLog.Kind.CLIENT_ID_NOT_ALLOWED.text(), decision.manager(),
                    decision.realm(), logReason(clientIdRefusal, decision));
            refuse(v5 ? ReasonCodes.CLIENT_ID_NOT_VALID : ReasonCodes.V3_IDENTIFIER_REJECTED, v5,
                    "client identifier not allowed for this identity", c.clientId);
            return;
        }
        c.decision = decision;
        c.permissions = decision.permissions();
        if (will != null) {
            boolean willAllowed = c.permissions.mayPublish(will.topic(), will.qos(), will.retain());
            accessLog.will(subject, will.topic(), will.qos(), willAllowed, decision.manager(), decision.realm(),
                    willAllowed ? "will accepted" : "not authorized to publish the will to '" + will.topic() + "'");
            if (!willAllowed) {
                c.events.authzDenied(AuthzAction.WILL);
                String reason = "will message to '" + will.topic() + "' not authorized";
                accessLog.connect(subject, false, AccessLog.Kind.NOT_AUTHORIZED.text(), decision.manager(),
                        decision.realm(), logReason(reason, decision));
                refuse(v5 ? ReasonCodes.NOT_AUTHORIZED : ReasonCodes.V3_NOT_AUTHORIZED, v5, reason, c.clientId);
                return;
            }
        }
        SessionStore.Attached attached = c.core.sessions().attach(c.clientId, cleanStart, expiry, will, c,
                decision.owner());
        if (attached.refused()) {
            accessLog.connect(subject, false, AccessLog.Kind.CLIENT_ID_OWNED.text(), decision.manager(),
                    decision.realm(), logReason("client id belongs to the session of " + attached.heldBy()
                            + " (mqtt.client-id-ownership: strict)", decision));
            refuse(v5 ? ReasonCodes.CLIENT_ID_NOT_VALID : ReasonCodes.V3_IDENTIFIER_REJECTED, v5,
                    "client identifier in use by another identity", c.clientId);
            return;
        }
        accessLog.connect(subject, true, null, decision.manager(), decision.realm(),
                logReason("authenticated as '" + decision.identity() + "'", decision));
        c.session = attached.session();
        c.state = MqttConnection.State.CONNECTED;
        PreAuthLimit.lift(ctx.pipeline());
        c.permissions.attach(c::disconnectFromOutside);

        MqttProperties props = MqttProperties.NO_PROPERTIES;
        if (v5) {
            props = connackProperties(assignedId, expiryChanged ? expiry : -1,
                    serverKeepAlive != keepAlive ? serverKeepAlive : -1);
        }
        ctx.write(Replies.connack(0, attached.sessionPresent(), props));
        c.enhancedAuth.scheduleExpiry();
        int effectiveKeepAlive = v5 ? serverKeepAlive : keepAlive;
        if (effectiveKeepAlive > 0) {
            long readerIdleMillis = effectiveKeepAlive * 1500L;
            ctx.pipeline().addBefore(PipelineNames.MQTT_CONNECTION, PipelineNames.KEEP_ALIVE,
                    new IdleStateHandler(readerIdleMillis, 0, 0, TimeUnit.MILLISECONDS));
        }
        c.admitted(cleanStart, effectiveKeepAlive);
        c.events.clientConnected(c.listener.name(), ctx.channel(), c.clientId, c.username, c.protocolVersion,
                cleanStart, expiry, effectiveKeepAlive, attached.sessionPresent());
        c.resumeOutbound();
        c.replayHeldPackets();
        ctx.channel().config().setAutoRead(true);
    }

    /** The access-log reason: {@code reason}, followed by the gate's note in parentheses when it has one. */
    private static String logReason(String reason, ConnectDecision decision) {
        return decision.logNote() == null ? reason : reason + " (" + decision.logNote() + ")";
    }

    private static String kind(ConnectDecision.Outcome outcome) {
        return AccessLog.kind(outcome);
    }

    private MqttProperties connackProperties(boolean assignedId, long expiry, int serverKeepAlive) {
        MqttLimits limits = c.limits;
        MqttProperties p = new MqttProperties();
        if (assignedId) {
            p.add(new MqttProperties.StringProperty(MqttProperties.ASSIGNED_CLIENT_IDENTIFIER, c.clientId));
        }
        if (c.enhancedAuth.method != null) {
            p.add(new MqttProperties.StringProperty(MqttProperties.AUTHENTICATION_METHOD, c.enhancedAuth.method));
        }
        if (expiry >= 0) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, (int) expiry));
        }
        if (serverKeepAlive >= 0) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.SERVER_KEEP_ALIVE, serverKeepAlive));
        }
        if (limits.receiveMaximum() != 65_535) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.RECEIVE_MAXIMUM, limits.receiveMaximum()));
        }
        if (limits.maxQos() < 2) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.MAXIMUM_QOS, limits.maxQos()));
        }
        if (!limits.retainAvailable()) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.RETAIN_AVAILABLE, 0));
        }
        if (limits.maxPacketSize() < MqttLimits.MQTT_MAX_PACKET_SIZE) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.MAXIMUM_PACKET_SIZE, limits.maxPacketSize()));
        }
        if (limits.topicAliasMaximum() > 0) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.TOPIC_ALIAS_MAXIMUM, limits.topicAliasMaximum()));
        }
        if (!limits.wildcardSubscriptions()) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.WILDCARD_SUBSCRIPTION_AVAILABLE, 0));
        }
        if (!limits.sharedSubscriptions()) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.SHARED_SUBSCRIPTION_AVAILABLE, 0));
        }
        return p;
    }

    private void refuse(int code, boolean v5, String reason, String clientId) {
        refuse(code, v5, reason, clientId, false);
    }

    /**
     * Answers CONNACK with a failure code and closes. For MQTT 3 problems that have no return code the
     * spec asks for a plain close ({@code closeOnly}).
     */
    private void refuse(int code, boolean v5, String reason, String clientId, boolean closeOnly) {
        ChannelHandlerContext ctx = c.ctx;
        boolean decided = c.state == MqttConnection.State.AUTHENTICATING;
        c.closeHow = decided ? CloseReason.AUTH_FAILURE : CloseReason.PROTOCOL_ERROR;
        c.state = MqttConnection.State.CLOSED;
        c.events.connectionRefused(c.listener.name(), ctx.channel().remoteAddress(), clientId, code, reason, decided);
        if (closeOnly) {
            ctx.close();
            return;
        }
        MqttProperties props = MqttProperties.NO_PROPERTIES;
        if (v5 && c.requestProblemInformation && reason != null
                && Replies.reasonStringFits(Replies.CONNACK_HEAD, reason, c.clientMaximumPacketSize)) {
            props = new MqttProperties();
            props.add(new MqttProperties.StringProperty(MqttProperties.REASON_STRING, reason));
        }
        LingeringClose.after(ctx, Replies.connack(code, false, props));
    }

    private void refuseSilently(String reason) {
        c.state = MqttConnection.State.CLOSED;
        c.closeHow = CloseReason.PROTOCOL_ERROR;
        c.events.connectionRefused(c.listener.name(), c.ctx.channel().remoteAddress(), null, 0, reason, false);
        c.ctx.close();
    }

    static Integer intProperty(MqttProperties props, int id) {
        if (props == null) {
            return null;
        }
        MqttProperties.MqttProperty<?> p = props.getProperty(id);
        return p == null ? null : (Integer) p.value();
    }
}
