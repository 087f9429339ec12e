package io.rampart.tls;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;

import java.util.Locale;
import java.util.Map;

/**
 * Sits right after the TLS handler: on a completed handshake it stores the client-certificate identity
 * variables on the channel ({@link ClientCertificates#VARIABLES}) and removes itself; on a failed one it
 * classifies the failure for the observer and the failure sink (the access log).
 */
public final class TlsHandshakeHandler extends ChannelInboundHandlerAdapter {

    /** Receives failed handshakes. */
    @FunctionalInterface
    public interface FailureSink {
        void failed(Channel channel, TlsFailure failure);
    }

    /**
     * A failed handshake.
     *
     * @param kind    {@code revoked}, {@code expired}, {@code unknown-issuer}, {@code no-certificate},
     *                {@code protocol}, {@code cipher}, {@code timeout}, {@code revocation-unknown},
     *                {@code revocation-unavailable} or {@code error}
     * @param subject the client certificate's subject DN, or {@code null}
     * @param serial  its serial in hex, or {@code null}
     * @param reason  operator-facing text
     */
    public record TlsFailure(String kind, String subject, String serial, String reason) {
    }

    private final String listener;
    private final TlsObserver observer;
    private final FailureSink sink;

    TlsHandshakeHandler(String listener, TlsObserver observer, FailureSink sink) {
        this.listener = listener;
        this.observer = observer;
        this.sink = sink;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent e) {
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            if (e.isSuccess() && ssl != null) {
                Map<String, String> vars = ClientCertificates.variables(ssl.engine().getSession());
                ctx.channel().attr(ClientCertificates.VARIABLES).set(vars);
                observer.handshake(listener, "success", vars.get(ClientCertificates.PROTOCOL),
                        vars.get(ClientCertificates.CIPHER));
                ctx.pipeline().remove(this);
            } else if (!e.isSuccess()) {
                TlsRejection rejection = ssl == null ? null : ServerTls.takeRejection(ssl.engine());
                TlsFailure failure = classify(e.cause(), rejection);
                observer.handshake(listener, failure.kind(), "unknown", "unknown");
                sink.failed(ctx.channel(), failure);
            }
        }
        super.userEventTriggered(ctx, evt);
    }

    /** A client that does not speak TLS at all (plain MQTT on a TLS port) never starts a handshake: say so, close. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof NotSslRecordException) {
                observer.handshake(listener, "protocol", "unknown", "unknown");
                sink.failed(ctx.channel(), new TlsFailure("protocol", null, null,
                        "not a TLS connection (plain MQTT on a TLS port?)"));
                ctx.close();
                return;
            }
        }
        super.exceptionCaught(ctx, cause);
    }

    /** Turns a handshake failure into a kind and reason. */
    static TlsFailure classify(Throwable cause, TlsRejection known) {
        TlsRejection rejection = known;
        for (Throwable t = cause; t != null && rejection == null; t = t.getCause()) {
            if (t instanceof TlsRejection r) {
                rejection = r;
            }
        }
        if (rejection != null) {
            return new TlsFailure(rejection.kind(), rejection.subject(), rejection.serial(), rejection.getMessage());
        }
        if (cause instanceof SslHandshakeTimeoutException) {
            return new TlsFailure("timeout", null, null, "handshake not finished in time");
        }
        StringBuilder all = new StringBuilder();
        for (Throwable t = cause; t != null; t = t.getCause()) {
            all.append(' ').append(t.getMessage());
        }
        String text = all.toString();
        String upper = text.toUpperCase(Locale.ROOT);
        String reason = cause == null ? "unknown" : rootMessage(cause);
        if (upper.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") || upper.contains("EMPTY CLIENT CERTIFICATE CHAIN")
                || upper.contains("CERTIFICATE_REQUIRED") || upper.contains("DID NOT RETURN A CERTIFICATE")) {
            return new TlsFailure("no-certificate", null, null, "client certificate required but none presented");
        }
        if (upper.contains("NO_SHARED_CIPHER") || upper.contains("NO CIPHER SUITES IN COMMON")
                || upper.contains("NO_CIPHER") || upper.contains("NO APPROPRIATE CIPHER")) {
            return new TlsFailure("cipher", null, null, "no cipher suite in common: " + reason);
        }
        if (upper.contains("UNSUPPORTED_PROTOCOL") || upper.contains("PROTOCOL_VERSION") || upper.contains("WRONG_VERSION")
                || upper.contains("NOT ENABLED OR SUPPORTED") || upper.contains("UNSUPPORTED PROTOCOL")
                || upper.contains("VERSION_TOO_LOW")) {
            return new TlsFailure("protocol", null, null, "protocol version refused: " + reason);
        }
        if (upper.contains("CERTIFICATE_VERIFY_FAILED") || upper.contains("CERTIFICATE_UNKNOWN")) {
            return new TlsFailure("error", null, null, "client certificate refused: " + reason);
        }
        return new TlsFailure("error", null, null, reason);
    }

    private static String rootMessage(Throwable cause) {
        Throwable t = cause;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
