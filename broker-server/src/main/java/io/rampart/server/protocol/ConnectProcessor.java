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
import io.netty.util.AttributeKey;
import io.rampart.core.BrokerCore;
import io.rampart.core.MqttLimits;
import io.rampart.core.cluster.SessionDirectory;
import io.rampart.core.session.SessionStore;
import io.rampart.core.session.Will;
import io.rampart.core.topic.Topics;
import io.rampart.security.limits.IdentityLimits;
import io.rampart.security.permission.CompiledPermissions;
import io.rampart.security.pipeline.ChainTrace;
import io.rampart.server.events.BrokerEvents;
import io.rampart.server.gate.ConnectDecision;
import io.rampart.server.gate.ConnectRequest;
import io.rampart.server.metrics.AuthzAction;
import io.rampart.server.metrics.CloseReason;
import io.rampart.server.pipeline.LingeringClose;
import io.rampart.server.security.AccessLog;
import io.rampart.server.tracing.ConnectSpan;
import io.rampart.tls.ClientCertificates;

import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * CONNECT handling: validates the packet against the protocol and the broker's limits into a
 * {@link ConnectAttempt}, asks the listener's gate (reading is paused until it answers), binds the session and
 * hands the connection its {@link Admission} with the CONNACK properties, or refuses. In a cluster the client id is
 * claimed for this node first (its session may move here from another node); a node cut off from most of the cluster
 * refuses with "server unavailable". With distributed tracing on, a recorded CONNECT gets a {@link ConnectSpan} from
 * the gate's question to CONNACK.
 */
final class ConnectProcessor {

    /** Where netty-codec-mqtt records the protocol version it read from CONNECT. */
    static final AttributeKey<MqttVersion> MQTT_VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");

    private final MqttConnection connection;
    private final ChannelHandlerContext ctx;
    private final ListenerContext listener;
    private final BrokerCore core;
    private final MqttLimits limits;
    private final BrokerEvents events;
    /** The span of the CONNECT being decided, when it is recorded; ended with CONNACK. */
    private ConnectSpan trace;

    ConnectProcessor(MqttConnection connection, ChannelHandlerContext ctx, ListenerContext listener, BrokerCore core,
                     BrokerEvents events) {
        this.connection = connection;
        this.ctx = ctx;
        this.listener = listener;
        this.core = core;
        this.limits = core.limits();
        this.events = events;
    }

    /** A CONNECT the decoder could not read: answer with the matching CONNACK where one exists, then close. */
    void decodeFailure(Throwable cause) {
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
        refuse(code, v5, reason, null, ClientLimits.DEFAULT, false);
    }

    void connect(MqttConnectMessage msg) {
        MqttConnectVariableHeader header = msg.variableHeader();
        MqttConnectPayload payload = msg.payload();
        int version = header.version();
        boolean v5 = version == 5;
        MqttProperties props = header.properties();

        String clientId = payload.clientIdentifier();
        boolean cleanStart = header.isCleanSession();
        long sessionExpiry;
        // What the client may be told in a refusal: at first the defaults, then what it declared.
        ClientLimits client = ClientLimits.DEFAULT;
        String authMethod = null;
        if (v5) {
            Integer rpi = intProperty(props, MqttProperties.REQUEST_PROBLEM_INFORMATION);
            if (rpi != null && rpi > 1) {
                refuse(ReasonCodes.PROTOCOL_ERROR, true, "request problem information must be 0 or 1", clientId, client);
                return;
            }
            client = ClientLimits.withProblemInformation(rpi == null || rpi == 1);
            Integer rri = intProperty(props, MqttProperties.REQUEST_RESPONSE_INFORMATION);
            if (rri != null && rri > 1) {
                refuse(ReasonCodes.PROTOCOL_ERROR, true, "request response information must be 0 or 1", clientId, client);
                return;
            }
            Integer expiry = intProperty(props, MqttProperties.SESSION_EXPIRY_INTERVAL);
            sessionExpiry = expiry == null ? 0 : Integer.toUnsignedLong(expiry);
            Integer receiveMax = intProperty(props, MqttProperties.RECEIVE_MAXIMUM);
            if (receiveMax != null && receiveMax == 0) {
                refuse(ReasonCodes.PROTOCOL_ERROR, true, "receive maximum of 0", clientId, client);
                return;
            }
            Integer maxPacket = intProperty(props, MqttProperties.MAXIMUM_PACKET_SIZE);
            if (maxPacket != null && maxPacket == 0) {
                refuse(ReasonCodes.PROTOCOL_ERROR, true, "maximum packet size of 0", clientId, client);
                return;
            }
            Integer aliasMax = intProperty(props, MqttProperties.TOPIC_ALIAS_MAXIMUM);
            client = new ClientLimits(receiveMax == null ? ClientLimits.DEFAULT.receiveMaximum() : receiveMax,
                    maxPacket == null ? ClientLimits.DEFAULT.maximumPacketSize() : Integer.toUnsignedLong(maxPacket),
                    aliasMax == null ? 0 : aliasMax, client.problemInformation());
            authMethod = EnhancedAuth.methodOf(props);
            if (authMethod != null) {
                if (!listener.gate().supportsAuthMethod(authMethod)) {
                    refuse(ReasonCodes.BAD_AUTHENTICATION_METHOD, true, "authentication method '" + authMethod
                            + "' is not supported on this listener", clientId, client);
                    return;
                }
            } else if (props.getProperty(MqttProperties.AUTHENTICATION_DATA) != null) {
                refuse(ReasonCodes.PROTOCOL_ERROR, true, "authentication data without an authentication method",
                        clientId, client);
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
                        "empty client identifier requires clean session", clientId, client);
                return;
            }
            clientId = "rampart-" + UUID.randomUUID();
            assigned = true;
        } else if (clientId.codePointCount(0, clientId.length()) > limits.maxClientIdLength()) {
            refuse(v5 ? ReasonCodes.CLIENT_ID_NOT_VALID : ReasonCodes.V3_IDENTIFIER_REJECTED, v5,
                    "client identifier longer than " + limits.maxClientIdLength() + " characters", null, client);
            return;
        }

        int keepAlive = header.keepAliveTimeSeconds();
        int serverKeepAlive = keepAlive;
        if (keepAlive > limits.maxKeepAliveSeconds() || (keepAlive == 0 && !limits.allowZeroKeepAlive())) {
            if (!v5) {
                refuse(ReasonCodes.V3_IDENTIFIER_REJECTED, false,
                        "keep alive " + keepAlive + " outside the allowed range", clientId, client);
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
            will = will(header, payload, v5, clientId, client);
            if (will == null) {
                return;
            }
        }

        ConnectAttempt attempt = new ConnectAttempt(clientId, assigned, version, payload.userName(), cleanStart,
                sessionExpiry, grantedExpiry, keepAlive, serverKeepAlive, will, client, authMethod);
        connection.authenticating(attempt);
        ConnectRequest request = new ConnectRequest(listener.name(), clientId, payload.userName(),
                payload.passwordInBytes(), ctx.channel().remoteAddress(), version, authMethod,
                authMethod == null ? null : EnhancedAuth.dataOf(props),
                ctx.channel().attr(ClientCertificates.VARIABLES).get());
        long started = System.nanoTime();
        if (listener.tracing() != null) {
            trace = listener.tracing().connect(listener.name(), ctx.channel().remoteAddress(), clientId, version);
        }
        CompletionStage<ConnectDecision> answer = listener.gate().authenticate(request,
                trace == null ? ChainTrace.NONE : trace);
        if (answer instanceof CompletableFuture<ConnectDecision> known && known.isDone()) {
            // An immediate answer (anonymous listener): finish now. Reading never has to pause, which saves
            // two epoll_ctl calls and a task hop per connection.
            known.whenComplete((decision, error) -> decided(attempt, request, decision, error, started));
            return;
        }
        // Gate until authenticated: nothing more is read until the decision is in.
        connection.holdReading(MqttConnection.HOLD_AUTHENTICATING);
        answer.whenComplete((decision, error) -> ctx.executor().execute(
                () -> decided(attempt, request, decision, error, started)));
    }

    /** The will of a CONNECT, checked against the limits; {@code null} when it was refused (answered already). */
    private Will will(MqttConnectVariableHeader header, MqttConnectPayload payload, boolean v5, String clientId,
                      ClientLimits client) {
        String problem = Topics.validateTopicName(payload.willTopic(), limits.maxTopicLength(), limits.maxTopicLevels());
        if (problem != null) {
            refuse(v5 ? ReasonCodes.TOPIC_NAME_INVALID : ReasonCodes.V3_IDENTIFIER_REJECTED, v5,
                    "will topic: " + problem, clientId, client, !v5);
            return null;
        }
        if (header.willQos() > limits.maxQos()) {
            refuse(v5 ? ReasonCodes.QOS_NOT_SUPPORTED : ReasonCodes.V3_SERVER_UNAVAILABLE, v5,
                    "will QoS " + header.willQos() + " above the maximum " + limits.maxQos(), clientId, client, !v5);
            return null;
        }
        if (header.isWillRetain() && !limits.retainAvailable()) {
            refuse(v5 ? ReasonCodes.RETAIN_NOT_SUPPORTED : ReasonCodes.V3_SERVER_UNAVAILABLE, v5,
                    "retained will but retain is not available", clientId, client, !v5);
            return null;
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
        Will will = new Will(payload.willTopic(), header.willQos(), header.isWillRetain(),
                payload.willMessageInBytes() == null ? new byte[0] : payload.willMessageInBytes(),
                v5 ? MessagePropertiesCodec.fromMqtt(wp) : null, messageExpiry, willDelay);
        if (v5) {
            String problemWill = MessagePropertiesCodec.validate(wp, will.payload());
            if (problemWill != null) {
                refuse(problemWill.startsWith("payload") ? ReasonCodes.PAYLOAD_FORMAT_INVALID : ReasonCodes.PROTOCOL_ERROR,
                        true, "will: " + problemWill, clientId, client);
                return null;
            }
        }
        return will;
    }

    private void decided(ConnectAttempt attempt, ConnectRequest request, ConnectDecision answer, Throwable error,
                         long started) {
        ConnectDecision decision = answer;
        if (error != null || decision == null) {
            decision = ConnectDecision.refuse(ConnectDecision.Outcome.SERVER_UNAVAILABLE,
                    "authentication failed: " + (error == null ? "no decision" : error.getMessage()), "gate", null);
        }
        events.authDecision(decision.manager(), decision.realm(), decision.accepted(), kind(decision.outcome()),
                System.nanoTime() - started);
        if (request.password() != null) {
            Arrays.fill(request.password(), (byte) 0);
        }
        if (request.authData() != null) {
            Arrays.fill(request.authData(), (byte) 0);
        }
        complete(attempt, decision);
    }

    private void complete(ConnectAttempt attempt, ConnectDecision decision) {
        if (!connection.isAuthenticating() || !ctx.channel().isActive()) {
            if (trace != null) {
                trace.abandoned();
                trace = null;
            }
            return;
        }
        connection.decided(decision);
        boolean v5 = attempt.v5();
        String clientId = attempt.clientId();
        AccessLog accessLog = listener.accessLog();
        AccessLog.Subject subject = new AccessLog.Subject(listener.name(), ctx.channel().remoteAddress(), clientId,
                attempt.username(), decision.identity());
        if (!decision.accepted()) {
            accessLog.connect(subject, false, kind(decision.outcome()), decision.manager(), decision.realm(),
                    logReason(decision.reason(), decision));
            refuse(v5 ? decision.outcome().v5Code() : decision.outcome().v3Code(), v5, decision.reason(), clientId,
                    attempt.client());
            return;
        }
        // A client id the broker assigned is unique, so it cannot be anyone else's: client-id rules leave it alone.
        String clientIdRefusal = attempt.assignedId() ? null : decision.permissions().clientIdRefusal(clientId);
        if (clientIdRefusal != null) {
            accessLog.connect(subject, false, AccessLog.Kind.CLIENT_ID_NOT_ALLOWED.text(), decision.manager(),
                    decision.realm(), logReason(clientIdRefusal, decision));
            refuse(v5 ? ReasonCodes.CLIENT_ID_NOT_VALID : ReasonCodes.V3_IDENTIFIER_REJECTED, v5,
                    "client identifier not allowed for this identity", clientId, attempt.client(), false,
                    decision.permissions().explainClientId(clientId));
            return;
        }
        Will will = attempt.will();
        if (will != null) {
            boolean willAllowed = decision.permissions().mayPublish(will.topic(), will.qos(), will.retain());
            accessLog.will(subject, will.topic(), will.qos(), willAllowed, decision.manager(), decision.realm(),
                    willAllowed ? "will accepted" : "not authorized to publish the will to '" + will.topic() + "'");
            if (!willAllowed) {
                events.authzDenied(AuthzAction.WILL);
                String reason = "will message to '" + will.topic() + "' not authorized";
                accessLog.connect(subject, false, AccessLog.Kind.NOT_AUTHORIZED.text(), decision.manager(),
                        decision.realm(), logReason(reason, decision));
                refuse(v5 ? ReasonCodes.NOT_AUTHORIZED : ReasonCodes.V3_NOT_AUTHORIZED, v5, reason, clientId,
                        attempt.client());
                return;
            }
        }
        CompletionStage<SessionDirectory.Claim> claim = core.cluster().directory().claim(clientId, attempt.cleanStart(),
                decision.owner());
        if (claim instanceof CompletableFuture<SessionDirectory.Claim> known && known.isDone()) {
            attach(attempt, decision, subject, known.join());
            return;
        }
        ctx.channel().config().setAutoRead(false);
        claim.whenComplete((c, error) -> ctx.executor().execute(() -> attach(attempt, decision, subject,
                error != null ? SessionDirectory.Claim.unavailable(error.toString()) : c)));
    }

    /** The client id is claimed (or not): binds the session and admits, or refuses. */
    private void attach(ConnectAttempt attempt, ConnectDecision decision, AccessLog.Subject subject,
                        SessionDirectory.Claim claim) {
        if (!connection.isAuthenticating() || !ctx.channel().isActive()) {
            return;
        }
        boolean v5 = attempt.v5();
        String clientId = attempt.clientId();
        AccessLog accessLog = listener.accessLog();
        if (claim.outcome() == SessionDirectory.Outcome.UNAVAILABLE) {
            accessLog.connect(subject, false, AccessLog.Kind.UNAVAILABLE.text(), decision.manager(), decision.realm(),
                    logReason("cluster: " + claim.reason(), decision));
            refuse(v5 ? ReasonCodes.SERVER_UNAVAILABLE : ReasonCodes.V3_SERVER_UNAVAILABLE, v5,
                    "server unavailable: " + claim.reason(), clientId, attempt.client());
            return;
        }
        SessionStore.Attached attached = claim.outcome() == SessionDirectory.Outcome.HELD_BY_OTHER
                ? new SessionStore.Attached(null, false, claim.heldBy())
                : core.sessions().attach(clientId, attempt.cleanStart(), attempt.grantedExpiry(), attempt.will(),
                connection, decision.owner(), listener.queueLimits());
        if (attached.refused()) {
            accessLog.connect(subject, false, AccessLog.Kind.CLIENT_ID_OWNED.text(), decision.manager(),
                    decision.realm(), logReason("client id belongs to the session of " + attached.heldBy()
                            + " (mqtt.client-id-ownership: strict)", decision));
            refuse(v5 ? ReasonCodes.CLIENT_ID_NOT_VALID : ReasonCodes.V3_IDENTIFIER_REJECTED, v5,
                    "client identifier in use by another identity", clientId, attempt.client());
            return;
        }
        accessLog.connect(subject, true, null, decision.manager(), decision.realm(),
                logReason("authenticated as '" + decision.identity() + "'", decision));
        if (trace != null) {
            trace.accepted(decision.identity(), decision.manager(), decision.realm(), attached.sessionPresent());
            trace = null;
        }
        IdentityLimits limits = listener.limits().strictest(decision.permissions().limits());
        int maxPacketSize = limits.maxPacketSize() == 0 ? listener.maxPacketSize()
                : Math.min(listener.maxPacketSize(), limits.maxPacketSize());
        connection.admit(new Admission(attempt, decision, attached.session(), attached.sessionPresent(), subject,
                limits, maxPacketSize), v5 ? connackProperties(attempt, maxPacketSize) : MqttProperties.NO_PROPERTIES);
    }

    /** The access-log reason: {@code reason}, followed by the gate's note in parentheses when it has one. */
    private static String logReason(String reason, ConnectDecision decision) {
        return decision.logNote() == null ? reason : reason + " (" + decision.logNote() + ")";
    }

    private static String kind(ConnectDecision.Outcome outcome) {
        return AccessLog.kind(outcome);
    }

    private MqttProperties connackProperties(ConnectAttempt attempt, int maxPacketSize) {
        MqttProperties p = new MqttProperties();
        if (attempt.assignedId()) {
            p.add(new MqttProperties.StringProperty(MqttProperties.ASSIGNED_CLIENT_IDENTIFIER, attempt.clientId()));
        }
        if (attempt.authMethod() != null) {
            p.add(new MqttProperties.StringProperty(MqttProperties.AUTHENTICATION_METHOD, attempt.authMethod()));
        }
        if (attempt.expiryChanged()) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, (int) attempt.grantedExpiry()));
        }
        if (attempt.serverKeepAlive() != attempt.keepAlive()) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.SERVER_KEEP_ALIVE, attempt.serverKeepAlive()));
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
        if (maxPacketSize < MqttLimits.MQTT_MAX_PACKET_SIZE) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.MAXIMUM_PACKET_SIZE, maxPacketSize));
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

    private void refuse(int code, boolean v5, String reason, String clientId, ClientLimits client) {
        refuse(code, v5, reason, clientId, client, false, null);
    }

    private void refuse(int code, boolean v5, String reason, String clientId, ClientLimits client, boolean closeOnly) {
        refuse(code, v5, reason, clientId, client, closeOnly, null);
    }

    /**
     * Answers CONNACK with a failure code and closes. For MQTT 3 problems that have no return code the
     * spec asks for a plain close ({@code closeOnly}).
     */
    private void refuse(int code, boolean v5, String reason, String clientId, ClientLimits client, boolean closeOnly,
                        CompiledPermissions.Verdict rule) {
        boolean decided = connection.isAuthenticating();
        if (trace != null) {
            trace.refused(code, reason);
            trace = null;
        }
        connection.refused(decided ? CloseReason.AUTH_FAILURE : CloseReason.PROTOCOL_ERROR, reason);
        events.connectionRefused(listener.name(), ctx.channel().remoteAddress(), clientId, code, reason, decided, rule);
        if (closeOnly) {
            ctx.close();
            return;
        }
        MqttProperties props = MqttProperties.NO_PROPERTIES;
        String reasonString = v5 ? client.reasonString(Replies.CONNACK_HEAD, reason) : null;
        if (reasonString != null) {
            props = new MqttProperties();
            props.add(new MqttProperties.StringProperty(MqttProperties.REASON_STRING, reasonString));
        }
        LingeringClose.after(ctx, Replies.connack(code, false, props));
    }

    private void refuseSilently(String reason) {
        connection.refused(CloseReason.PROTOCOL_ERROR, reason);
        events.connectionRefused(listener.name(), ctx.channel().remoteAddress(), null, 0, reason, false);
        ctx.close();
    }

    static Integer intProperty(MqttProperties props, int id) {
        if (props == null) {
            return null;
        }
        MqttProperties.MqttProperty<?> p = props.getProperty(id);
        return p == null ? null : (Integer) p.value();
    }
}
