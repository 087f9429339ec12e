package io.rampart.server.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The route table of the admin listener: method + exact path, or method + path prefix (for
 * {@code /loggers/{name}}). Unknown paths answer 404, a known path with another method 405. Built once at
 * startup and shared by every admin connection (immutable after {@link #build}).
 */
@ChannelHandler.Sharable
public final class AdminRouter extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LogManager.getLogger(AdminRouter.class);

    private record Route(String method, String path, boolean prefix, AdminEndpoint endpoint) {
        boolean matchesPath(String p) {
            return prefix ? p.startsWith(path) && p.length() > path.length() : p.equals(path);
        }
    }

    private final List<Route> routes;

    private AdminRouter(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects the routes; the first match wins. */
    public static final class Builder {
        private final List<Route> routes = new ArrayList<>();

        public Builder get(String path, AdminEndpoint endpoint) {
            return add("GET", path, false, endpoint);
        }

        /** {@code method} on every path below {@code prefix} (which ends with '/'). */
        public Builder prefix(String method, String prefix, AdminEndpoint endpoint) {
            return add(method, prefix, true, endpoint);
        }

        private Builder add(String method, String path, boolean prefix, AdminEndpoint endpoint) {
            routes.add(new Route(method, path, prefix, endpoint));
            return this;
        }

        public AdminRouter build() {
            return new AdminRouter(routes);
        }
    }

    /** Answers one request (also used directly by tests and future transports). */
    public AdminResponse route(String method, String uri, String body) {
        String path = new QueryStringDecoder(uri).path();
        boolean pathKnown = false;
        for (Route r : routes) {
            if (!r.matchesPath(path)) {
                continue;
            }
            pathKnown = true;
            if (r.method().equals(method) || ("HEAD".equals(method) && "GET".equals(r.method()))) {
                String rest = r.prefix() ? path.substring(r.path().length()) : "";
                try {
                    return r.endpoint().handle(new AdminRequest(method, path, rest, body));
                } catch (RuntimeException e) {
                    LOG.warn("admin {} {} failed: {}", method, path, e.toString());
                    return AdminResponse.error(500, "internal error: " + e.getClass().getSimpleName());
                }
            }
        }
        return pathKnown ? AdminResponse.error(405, "method " + method + " not allowed on " + path)
                : AdminResponse.error(404, "no such endpoint: " + path);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            write(ctx, request, AdminResponse.error(400, "malformed HTTP request"), false);
            return;
        }
        AdminResponse response = route(request.method().name(), request.uri(),
                request.content().toString(StandardCharsets.UTF_8));
        write(ctx, request, response, HttpUtil.isKeepAlive(request));
    }

    private static void write(ChannelHandlerContext ctx, FullHttpRequest request, AdminResponse r, boolean keepAlive) {
        boolean head = "HEAD".equals(request.method().name());
        FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(),
                HttpResponseStatus.valueOf(r.status()), head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(r.body()));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, r.contentType())
                .set(HttpHeaderNames.CONTENT_LENGTH, r.body().length)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("admin connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
