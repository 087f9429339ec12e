package io.rampart.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import java.util.concurrent.TimeUnit;

/** One event loop group (epoll when the native library loads, NIO otherwise) shared by every client connection. */
public final class Transport implements AutoCloseable {

    private final EventLoopGroup group;
    private final boolean epoll;
    private final SslContext tls;

    public Transport(int threads) {
        this(threads, null);
    }

    /** @param tls TLS of every connection, or {@code null} for plain TCP */
    public Transport(int threads, ClientTls tls) {
        this.tls = tls == null ? null : tls.context();
        this.epoll = Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(threads,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    public String name() {
        return epoll ? "epoll" : "nio";
    }

    /** A bootstrap without handler; {@link ClientPipeline} sets one per connection. */
    public Bootstrap bootstrap(String host, int port, String sourceAddress) {
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .remoteAddress(host, port);
        if (sourceAddress != null) {
            b.localAddress(new java.net.InetSocketAddress(sourceAddress, 0));
        }
        if (tls != null) {
            b.attr(ClientPipeline.TLS, tls);
        }
        return b;
    }

    /** Shuts the loops down and waits, so counters written on them are visible to the caller afterwards. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
