package io.rampart.tls;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import javax.net.ssl.SSLSession;

/**
 * Sits right after the TLS handler: on a completed handshake it stores the client-certificate identity
 * variables on the channel ({@link ClientCertificates#VARIABLES}) and removes itself; on a failed one it
 * classifies the failure for the observer and the failure sink (the access log).
 *
 * <p>On listeners that verify client certificates, every completed handshake, full or resumed, is held here
 * until the session's certificate has been checked again ({@link ServerTls#recheck}): nothing the client sent
 * reaches MQTT before that, and a refused session is reported like a refused handshake and closed.
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
     * @param kind    {@code revoked}, {@code expired}, {@code not-yet-valid}, {@code unknown-issuer},
     *                {@code no-certificate},
     *                {@code protocol}, {@code cipher}, {@code timeout}, {@code revocation-unknown},
     *                {@code revocation-unavailable} or {@code error}
     * @param subject the client certificate's subject DN, or {@code null}
     * @param serial  its serial in hex, or {@code null}
     * @param reason  operator-facing text
     */
    public record TlsFailure(String kind, String subject, String serial, String reason) {
    }

    /** How long a handshake the client abandoned waits for the certificate check's verdict. */
    static final long LATE_REJECTION_WAIT_MILLIS = 2_000;

    private final String listener;
    private final boolean clientCertificates;
    /** One report per connection, whichever of the handshake event and the error comes first. */
    private boolean reported;
    private final TlsObserver observer;
    private final FailureSink sink;
    private final Function<SSLSession, CompletableFuture<TlsRejection>> recheck;
    /** What arrived while the session's certificate was being checked again: the handshake event, then reads. */
    private List<Object> held;

    TlsHandshakeHandler(String listener, TlsObserver observer, FailureSink sink, boolean clientCertificates) {
        this(listener, observer, sink, clientCertificates, null);
    }

    /** @param recheck checks an established session's client certificate, or {@code null} to accept it as is */
    TlsHandshakeHandler(String listener, TlsObserver observer, FailureSink sink, boolean clientCertificates,
                        Function<SSLSession, CompletableFuture<TlsRejection>> recheck) {
        this.clientCertificates = clientCertificates;
        this.listener = listener;
        this.observer = observer;
        this.sink = sink;
        this.recheck = recheck;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (held != null) {
            held.add(msg);
            return;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (held == null) {
            super.channelReadComplete(ctx);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releaseHeld();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseHeld();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SniCompletionEvent sni && !sni.isSuccess()) {
            // The SNI stage failed (no ClientHello within the handshake timeout, or not TLS at all).
            report(ctx.channel(), classify(sni.cause(), null));
        }
        if (evt instanceof SslHandshakeCompletionEvent e) {
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            if (e.isSuccess() && ssl != null) {
                SSLSession session = ssl.engine().getSession();
                Map<String, String> vars = ClientCertificates.variables(session, clientCertificates);
                ctx.channel().attr(ClientCertificates.VARIABLES).set(vars);
                if (recheck != null && vars.containsKey(ClientCertificates.SERIAL)) {
                    hold(ctx, evt, session, vars);
                    return;
                }
                accepted(ctx, vars);
            } else if (!e.isSuccess()) {
                TlsRejection rejection = ssl == null ? null : ServerTls.takeRejection(ssl.engine());
                if (rejection == null && ssl != null && isClosed(e.cause())) {
                    // The client hung up while its certificate was still being checked (TLS 1.3 clients may
                    // finish before the server has judged them): report once the check has had its say.
                    javax.net.ssl.SSLEngine engine = ssl.engine();
                    io.netty.channel.Channel channel = ctx.channel();
                    ctx.executor().schedule(() -> report(channel, classify(e.cause(), ServerTls.takeRejection(engine))),
                            LATE_REJECTION_WAIT_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
                } else {
                    report(ctx.channel(), classify(e.cause(), rejection));
                }
            }
        }
        super.userEventTriggered(ctx, evt);
    }

    private void accepted(ChannelHandlerContext ctx, Map<String, String> vars) {
        observer.handshake(listener, "success", vars.get(ClientCertificates.PROTOCOL),
                vars.get(ClientCertificates.CIPHER));
        ctx.pipeline().remove(this);
    }

    /** Stops reading and keeps back the handshake event and any data until the certificate's verdict is in. */
    private void hold(ChannelHandlerContext ctx, Object handshakeEvent, SSLSession session, Map<String, String> vars) {
        held = new ArrayList<>();
        held.add(handshakeEvent);
        ctx.channel().config().setAutoRead(false);
        CompletableFuture<TlsRejection> verdict;
        try {
            verdict = recheck.apply(session);
        } catch (RuntimeException ex) {
            verdict = CompletableFuture.failedFuture(ex);
        }
        verdict.whenComplete((rejection, error) -> ctx.executor().execute(() -> {
            if (error != null || rejection != null) {
                // Reported even when the client has gone meanwhile: the refusal belongs in the access log.
                TlsRejection why = rejection != null ? rejection : new TlsRejection("error",
                        "the client certificate could not be checked: " + error, null, error);
                report(ctx.channel(), classify(null, why));
                releaseHeld();
                ctx.close();
                return;
            }
            if (!ctx.channel().isActive() || held == null) {
                releaseHeld();
                return;
            }
            List<Object> pending = held;
            held = null;
            // Reading resumes before the held data goes on: the MQTT handlers may stop it again.
            ctx.channel().config().setAutoRead(true);
            ctx.fireUserEventTriggered(pending.get(0));
            for (Object msg : pending.subList(1, pending.size())) {
                ctx.fireChannelRead(msg);
            }
            if (pending.size() > 1) {
                ctx.fireChannelReadComplete();
            }
            accepted(ctx, vars);
        }));
    }

    private void releaseHeld() {
        List<Object> pending = held;
        held = null;
        if (pending != null) {
            pending.forEach(ReferenceCountUtil::release);
        }
    }

    private void report(Channel channel, TlsFailure failure) {
        if (reported) {
            return;
        }
        reported = true;
        observer.handshake(listener, failure.kind(), "unknown", "unknown");
        sink.failed(channel, failure);
    }

    private static boolean isClosed(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof java.nio.channels.ClosedChannelException) {
                return true;
            }
        }
        return false;
    }

    /**
     * A client that does not speak TLS at all (plain MQTT on a TLS port) fails the handshake (reported from the
     * handshake event) and raises a decoder error, a silent one times out: close without passing it on to the
     * MQTT handlers.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof NotSslRecordException) {
                ctx.close();
                return;
            }
            if (t instanceof SslHandshakeTimeoutException) {
                // No ClientHello within the handshake timeout: the SNI stage gives up before any TLS handler exists.
                report(ctx.channel(), classify(t, null));
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
        if (isClosed(cause)) {
            return new TlsFailure("error", null, null, "the client closed the connection during the handshake");
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof NotSslRecordException) {
                return new TlsFailure("protocol", null, null, "not a TLS connection (plain MQTT on a TLS port?)");
            }
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
        // BoringSSL: a suite the client offers needs another kind of server key (WRONG_CURVE for RSA-only suites
        // against an EC key), or no key-exchange group or signature algorithm of the client's is acceptable.
        if (upper.contains("WRONG_CURVE") || upper.contains("NO_SHARED_GROUP") || upper.contains("NO_COMMON_SIGNATURE")
                || upper.contains("WRONG_SIGNATURE_TYPE") || upper.contains("NO SUPPORTED SIGNATURE")
                || upper.contains("NO SUITABLE SIGNATURE") || upper.contains("NO COMMON NAMED GROUP")) {
            return new TlsFailure("cipher", null, null, "no cipher suite, key-exchange group or signature algorithm"
                    + " of the client fits this listener's key: " + reason);
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
