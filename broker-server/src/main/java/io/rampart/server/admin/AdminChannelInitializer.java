package io.rampart.server.admin;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;

/**
 * The pipeline of an admin (HTTP) listener, head to tail:
 *
 * <pre>
 *   [ssl]             TLS for the admin listener (admin API issue) goes first
 *   admin-timeout     closes connections idle for 60 s
 *   admin-http        HTTP/1.1 codec
 *   admin-aggregator  whole requests, bodies up to 64 KB
 *   [admin-auth]      authentication of operators (admin API issue) goes here, before the router
 *   admin-router      the route table
 * </pre>
 */
public final class AdminChannelInitializer extends ChannelInitializer<SocketChannel> {

    public static final String TIMEOUT = "admin-timeout";
    public static final String HTTP = "admin-http";
    public static final String AGGREGATOR = "admin-aggregator";
    public static final String ROUTER = "admin-router";
    private static final int MAX_BODY = 64 * 1024;

    private final AdminRouter router;

    public AdminChannelInitializer(AdminRouter router) {
        this.router = router;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast(TIMEOUT, new ReadTimeoutHandler(60));
        p.addLast(HTTP, new HttpServerCodec());
        p.addLast(AGGREGATOR, new HttpObjectAggregator(MAX_BODY));
        p.addLast(ROUTER, router);
    }
}
