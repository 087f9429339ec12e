package io.rampart.server.protocol;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.util.concurrent.ScheduledFuture;
import io.rampart.core.session.Session;
import io.rampart.core.session.Will;
import io.rampart.server.gate.ConnectDecision;
import io.rampart.server.gate.ConnectRequest;
import io.rampart.server.security.AccessLog;

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

    private final MqttConnection c;
    /** The Authentication Method of the CONNECT, or {@code null} when the client did not use enhanced auth. */
    String method;
    private boolean inProgress;
    private ScheduledFuture<?> expiryTimer;

    EnhancedAuth(MqttConnection connection) {
        this.c = connection;
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

    /** After CONNACK (and after each re-authentication): arms the expiry timer for the current identity. */
    void scheduleExpiry() {
        cancelExpiry();
        Instant expiresAt = c.permissions.expiresAt();
        if (expiresAt == null) {
            return;
        }
        long delay = Math.max(0, Duration.between(Instant.now(), expiresAt).toMillis());
        expiryTimer = c.ctx.executor().schedule(this::expired, delay, TimeUnit.MILLISECONDS);
    }

    void cancelExpiry() {
        if (expiryTimer != null) {
            expiryTimer.cancel(false);
            expiryTimer = null;
        }
    }

    private void expired() {
        expiryTimer = null;
        if (c.state != MqttConnection.State.CONNECTED) {
            return;
        }
        Instant expiresAt = c.permissions.expiresAt();
        if (expiresAt != null && expiresAt.isAfter(Instant.now().plusMillis(5))) {
            scheduleExpiry(); // moved by a re-authentication that raced with the timer
            return;
        }
        String reason = c.permissions.expiryReason();
        c.listener.accessLog().expired(c.accessSubject(), c.decision.manager(), c.decision.realm(),
                reason + " at " + expiresAt);
        c.disconnect(ReasonCodes.NOT_AUTHORIZED, reason);
    }

    /** An AUTH packet from the client. */
    void auth(MqttMessage message) {
        if (method == null || !c.isV5()) {
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
        AccessLog.Subject subject = c.accessSubject();
        if (!method.equals(requested)) {
            String why = "re-authentication with method '" + requested + "' but CONNECT used '" + method + "'";
            c.listener.accessLog().reauth(subject, false, AccessLog.Kind.BAD_AUTHENTICATION_METHOD.text(),
                    c.decision.manager(), c.decision.realm(), why);
            c.disconnect(ReasonCodes.BAD_AUTHENTICATION_METHOD, why);
            return;
        }
        inProgress = true;
        ConnectRequest request = new ConnectRequest(c.listener.name(), c.clientId, c.username, null,
                c.ctx.channel().remoteAddress(), c.protocolVersion, method, dataOf(props),
                c.ctx.channel().attr(io.rampart.tls.ClientCertificates.VARIABLES).get());
        c.gate().reauthenticate(request, c.permissions).whenComplete((decision, error) ->
                c.ctx.executor().execute(() -> reauthenticated(decision, error, request)));
    }

    private void reauthenticated(ConnectDecision answer, Throwable error, ConnectRequest request) {
        inProgress = false;
        if (request.authData() != null) {
            Arrays.fill(request.authData(), (byte) 0);
        }
        if (c.state != MqttConnection.State.CONNECTED || !c.ctx.channel().isActive()) {
            return;
        }
        ConnectDecision decision = answer;
        if (error != null || decision == null) {
            decision = ConnectDecision.refuse(ConnectDecision.Outcome.SERVER_UNAVAILABLE,
                    "re-authentication failed: " + (error == null ? "no decision" : error.getMessage()), "gate", null);
        }
        AccessLog log = c.listener.accessLog();
        AccessLog.Subject subject = c.accessSubject();
        if (!decision.accepted()) {
            log.reauth(subject, false, AccessLog.kind(decision.outcome()), decision.manager(), decision.realm(),
                    decision.reason());
            int code = decision.outcome() == ConnectDecision.Outcome.SERVER_UNAVAILABLE
                    ? ReasonCodes.SERVER_UNAVAILABLE : ReasonCodes.NOT_AUTHORIZED;
            c.disconnect(code, "re-authentication refused: " + decision.reason());
            return;
        }
        c.decision = decision;
        log.reauth(subject, true, null, decision.manager(), decision.realm(),
                "re-authenticated as '" + decision.identity() + "'");
        reauthorizeWill(subject, decision);
        scheduleExpiry();
        c.ctx.writeAndFlush(Replies.auth(ReasonCodes.SUCCESS, method, null));
    }

    /** The will must stay publishable with the new identity's permissions; one that is not is dropped. */
    private void reauthorizeWill(AccessLog.Subject subject, ConnectDecision decision) {
        Session session = c.session;
        Will will = session == null ? null : session.will();
        if (will == null || c.permissions.mayPublish(will.topic(), will.qos(), will.retain())) {
            return;
        }
        session.setWill(null);
        c.listener.accessLog().will(subject, will.topic(), will.qos(), false, decision.manager(), decision.realm(),
                "will dropped: the re-authenticated identity may not publish to '" + will.topic() + "'");
    }
}
