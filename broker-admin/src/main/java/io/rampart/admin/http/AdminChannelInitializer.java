package io.rampart.admin.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.rampart.admin.config.RequestLimits;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The channel pipeline of an admin (HTTP) listener, head to tail:
 *
 * <pre>
 *   [tls...]          HTTPS: the server's TLS handlers (same tls: settings as MQTT listeners)
 *   admin-idle        closes connections without a request for the idle timeout
 *   admin-deadline    a request must arrive in full within the request timeout (else 408)
 *   admin-http        HTTP/1.1 codec: request line and headers bounded
 *   admin-aggregator  whole requests, bodies up to the body limit (else 413)
 *   admin-handler     header count, per-address concurrency, dispatch off the event loop, security headers
 * </pre>
 */
public final class AdminChannelInitializer extends ChannelInitializer<SocketChannel> {

    public static final String IDLE = "admin-idle";
    public static final String DEADLINE = "admin-deadline";
    public static final String HTTP = "admin-http";
    public static final String AGGREGATOR = "admin-aggregator";
    public static final String HANDLER = "admin-handler";
    private static final int MAX_INITIAL_LINE = 8192;

    private final String listener;
    private final RequestLimits limits;
    private final AdminTls tls;
    private final Dispatcher dispatcher;
    private final AddressLimiter limiter;
    private final Executor worker;

    /** @param tls the listener's TLS, or {@code null} for plain HTTP */
    public AdminChannelInitializer(String listener, RequestLimits limits, AdminTls tls, Dispatcher dispatcher,
                                   AddressLimiter limiter, Executor worker) {
        this.listener = listener;
        this.limits = limits;
        this.tls = tls;
        this.dispatcher = dispatcher;
        this.limiter = limiter;
        this.worker = worker;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        boolean secure = tls != null;
        if (secure) {
            List<ChannelHandler> handlers = tls.newHandlers(ch);
            for (int i = 0; i < handlers.size(); i++) {
                p.addLast("admin-tls-" + i, handlers.get(i));
            }
        }
        p.addLast(IDLE, new ReadTimeoutHandler(limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        RequestDeadline deadline = new RequestDeadline(limits.requestTimeout().toMillis(), secure);
        p.addLast(DEADLINE, deadline);
        p.addLast(HTTP, new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE)
                .setMaxHeaderSize(limits.maxHeaderBytes())));
        p.addLast(AGGREGATOR, new BodyLimit(limits.maxBodyBytes(), secure));
        p.addLast(HANDLER, new AdminHttpHandler(listener, secure, limits, dispatcher, limiter, worker, tls, deadline));
    }
}
