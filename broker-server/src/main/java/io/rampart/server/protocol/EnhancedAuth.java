package io.rampart.server.protocol;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.util.concurrent.ScheduledFuture;
import io.rampart.core.session.Session;
import io.rampart.core.session.Will;
import io.rampart.server.gate.ConnectDecision;
import io.rampart.server.gate.ConnectRequest;
import io.rampart.server.security.AccessLog;
import io.rampart.tls.ClientCertificates;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The credential lifecycle of one connection: MQTT 5 re-authentication (AUTH 0x19) and the expiry of the
 * identity's credential (a token's {@code exp}).
 *
 * <p>Expiry costs one timer per session on its event loop, set at CONNACK and moved by each successful
 * re-authentication; nothing is checked per message. When it fires, MQTT 5 clients get DISCONNECT 0x87 with
 * the reason string "token expired" and MQTT 3 clients are closed. As for any disconnect the client did not
 * ask for, the will is published: it was authorized at CONNECT and again at every successful
 * re-authentication (a will the new permissions do not allow is dropped then), so it is published with the
 * authority of the last valid identity.
 *
 * <p>Re-authentication runs the listener's pipeline again off the event loop while the session keeps working
 * with its current permissions; success swaps identity, permissions and expiry at once and answers AUTH 0x00;
 * failure answers DISCONNECT 0x87 (0x8C for another method, 0x88 when the realm is unavailable) and closes.
 * Lives on the connection's event loop.
 */
final class EnhancedAuth {

    private final MqttConnection connection;
    private final ChannelHandlerContext ctx;
    private final ListenerContext listener;
    private boolean inProgress;
    private ScheduledFuture<?> expiryTimer;

    EnhancedAuth(MqttConnection connection, ChannelHandlerContext ctx, ListenerContext listener) {
        this.connection = connection;
        this.ctx = ctx;
        this.listener = listener;
    }

    /** Reads the Authentication Method and Data of a CONNECT (MQTT 5), or {@code null}s. */
    static String methodOf(MqttProperties props) {
        MqttProperties.MqttProperty<?> p = props == null ? null : props.getProperty(MqttProperties.AUTHENTICATION_METHOD);
        return p == null ? null : (String) p.value();
    }

    static byte[] dataOf(MqttProperties props) {
        MqttProperties.MqttProperty<?> p = props == null ? null : props.getProperty(MqttProperties.AUTHENTICATION_DATA);
        return p == null ? null : (byte[]) p.value();
    }

    /** After CONNACK (and after each re-authentication): arms the expiry timer for the admitted identity. */
    void scheduleExpiry(Admission a) {
        cancelExpiry();
        Instant expiresAt = a.permissions().expiresAt();
        if (expiresAt == null) {
            return;
        }
        long delay = Math.max(0, Duration.between(Instant.now(), expiresAt).toMillis());
        expiryTimer = ctx.executor().schedule(this::expired, delay, TimeUnit.MILLISECONDS);
    }

    void cancelExpiry() {
        if (expiryTimer != null) {
            expiryTimer.cancel(false);
            expiryTimer = null;
        }
    }

    private void expired() {
        expiryTimer = null;
        Admission a = connection.admission();
        if (a == null) {
            return;
        }
        Instant expiresAt = a.permissions().expiresAt();
        if (expiresAt != null && expiresAt.isAfter(Instant.now().plusMillis(5))) {
            scheduleExpiry(a); // moved by a re-authentication that raced with the timer
            return;
        }
        String reason = a.permissions().expiryReason();
        listener.accessLog().expired(a.subject(), a.manager(), a.realm(), reason + " at " + expiresAt);
        connection.disconnect(ReasonCodes.NOT_AUTHORIZED, reason);
    }

    /** An AUTH packet from the client. */
    void auth(Admission a, MqttMessage message) {
        String method = a.connect().authMethod();
        if (method == null || !a.v5()) {
            throw new ProtocolViolation(ReasonCodes.PROTOCOL_ERROR, "AUTH without an authentication method in CONNECT");
        }
        int reason = ReasonCodes.SUCCESS;
        MqttProperties props = MqttProperties.NO_PROPERTIES;
        if (message.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader v) {
            reason = v.reasonCode() & 0xFF;
            props = v.properties();
        }
        if (reason != ReasonCodes.REAUTHENTICATE) {
            throw new ProtocolViolation(ReasonCodes.PROTOCOL_ERROR, "AUTH with reason 0x" + Integer.toHexString(reason)
                    + " although the server asked for nothing");
        }
        if (inProgress) {
            throw new ProtocolViolation(ReasonCodes.PROTOCOL_ERROR, "AUTH while a re-authentication is in progress");
        }
        String requested = methodOf(props);
        if (!method.equals(requested)) {
            String why = "re-authentication with method '" + requested + "' but CONNECT used '" + method + "'";
            listener.accessLog().reauth(a.subject(), false, AccessLog.Kind.BAD_AUTHENTICATION_METHOD.text(),
                    a.manager(), a.realm(), why);
            connection.disconnect(ReasonCodes.BAD_AUTHENTICATION_METHOD, why);
            return;
        }
        inProgress = true;
        ConnectRequest request = new ConnectRequest(listener.name(), a.clientId(), a.connect().username(), null,
                ctx.channel().remoteAddress(), a.connect().protocolVersion(), method, dataOf(props),
                ctx.channel().attr(ClientCertificates.VARIABLES).get());
        listener.gate().reauthenticate(request, a.permissions()).whenComplete((decision, error) ->
                ctx.executor().execute(() -> reauthenticated(decision, error, request)));
    }

    private void reauthenticated(ConnectDecision answer, Throwable error, ConnectRequest request) {
        inProgress = false;
        if (request.authData() != null) {
            Arrays.fill(request.authData(), (byte) 0);
        }
        Admission a = connection.admission();
        if (a == null || !ctx.channel().isActive()) {
            return;
        }
        ConnectDecision decision = answer;
        if (error != null || decision == null) {
            decision = ConnectDecision.refuse(ConnectDecision.Outcome.SERVER_UNAVAILABLE,
                    "re-authentication failed: " + (error == null ? "no decision" : error.getMessage()), "gate", null);
        }
        AccessLog log = listener.accessLog();
        AccessLog.Subject subject = a.subject();
        if (!decision.accepted()) {
            log.reauth(subject, false, AccessLog.kind(decision.outcome()), decision.manager(), decision.realm(),
                    decision.reason());
            int code = decision.outcome() == ConnectDecision.Outcome.SERVER_UNAVAILABLE
                    ? ReasonCodes.SERVER_UNAVAILABLE : ReasonCodes.NOT_AUTHORIZED;
            connection.disconnect(code, "re-authentication refused: " + decision.reason());
            return;
        }
        connection.reauthenticated(decision);
        log.reauth(subject, true, null, decision.manager(), decision.realm(),
                "re-authenticated as '" + decision.identity() + "'");
        reauthorizeWill(a, subject, decision);
        scheduleExpiry(a);
        ctx.writeAndFlush(Replies.auth(ReasonCodes.SUCCESS, a.connect().authMethod(), null));
    }

    /** The will must stay publishable with the new identity's permissions; one that is not is dropped. */
    private void reauthorizeWill(Admission a, AccessLog.Subject subject, ConnectDecision decision) {
        Session session = a.session();
        Will will = session.will();
        if (will == null || a.permissions().mayPublish(will.topic(), will.qos(), will.retain())) {
            return;
        }
        session.setWill(null);
        listener.accessLog().will(subject, will.topic(), will.qos(), false, decision.manager(), decision.realm(),
                "will dropped: the re-authenticated identity may not publish to '" + will.topic() + "'");
    }
}
