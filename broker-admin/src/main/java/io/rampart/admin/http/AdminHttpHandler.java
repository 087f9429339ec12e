package io.rampart.admin.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.ReadTimeoutException;
import io.rampart.admin.config.RequestLimits;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One admin connection's requests: checks what the codec could not (decoder failures, header count), takes a
 * slot of the caller's address, hands the request to the dispatcher off the event loop and writes the answer
 * with the security headers. Reading pauses while a request is processed, so answers keep the order of requests.
 */
final class AdminHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LogManager.getLogger(AdminHttpHandler.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String listener;
    private final boolean secure;
    private final RequestLimits limits;
    private final Dispatcher dispatcher;
    private final AddressLimiter limiter;
    private final Executor worker;
    private final AdminTls tls;
    private final RequestDeadline deadline;
    /** This connection carries a Server-Sent Events answer: further requests on it are ignored. */
    private boolean streaming;

    AdminHttpHandler(String listener, boolean secure, RequestLimits limits, Dispatcher dispatcher,
                     AddressLimiter limiter, Executor worker, AdminTls tls, RequestDeadline deadline) {
        this.listener = listener;
        this.secure = secure;
        this.limits = limits;
        this.dispatcher = dispatcher;
        this.limiter = limiter;
        this.worker = worker;
        this.tls = tls;
        this.deadline = deadline;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (streaming) {
            return;
        }
        deadline.requestRead();
        String requestId = requestId();
        boolean head = "HEAD".equals(request.method().name());
        if (!request.decoderResult().isSuccess()) {
            Throwable cause = request.decoderResult().cause();
            int status = cause instanceof TooLongHttpLineException ? 414
                    : cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException ? 431 : 400;
            String detail = status == 414 ? "the request line is too long"
                    : status == 431 ? "the request headers are larger than " + limits.maxHeaderBytes() + " bytes"
                    : "malformed HTTP request";
            write(ctx, Problem.of(status, detail, requestId), false, head, requestId);
            return;
        }
        if (request.headers().size() > limits.maxHeaders()) {
            write(ctx, Problem.of(431, "more than " + limits.maxHeaders() + " header fields", requestId), false, head,
                    requestId);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpHeaders headers = new DefaultHttpHeaders().add(request.headers());
        InetSocketAddress remote = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a : null;
        Map<String, String> tlsVariables = tls == null ? Map.of() : tls.variables(ctx.channel());
        HttpCall call = new HttpCall(request.method().name(), request.uri(), headers,
                ByteBufUtil.getBytes(request.content()), remote, secure, tlsVariables, listener, requestId);
        HttpAnswer immediate = dispatcher.immediate(call);
        if (immediate != null) {
            write(ctx, immediate, keepAlive, head, requestId);
            return;
        }
        InetAddress address = remote == null ? null : remote.getAddress();
        if (!limiter.tryAcquire(address)) {
            write(ctx, Problem.of(429, "too many requests in progress from this address (at most "
                    + limits.maxConcurrentPerAddress() + ")", requestId).with("Retry-After", "1"), keepAlive, head,
                    requestId);
            return;
        }
        ctx.channel().config().setAutoRead(false);
        CompletableFuture<HttpAnswer> answer;
        try {
            answer = CompletableFuture.supplyAsync(() -> dispatcher.dispatch(call), worker)
                    .thenCompose(stage -> stage);
        } catch (RejectedExecutionException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.orTimeout(limits.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((result, error) -> ctx.executor().execute(() -> {
                    limiter.release(address);
                    HttpAnswer out = result;
                    if (out == null) {
                        out = failure(call, error, requestId);
                    }
                    write(ctx, out, keepAlive, head, requestId);
                    ctx.channel().config().setAutoRead(true);
                }));
    }

    private HttpAnswer failure(HttpCall call, Throwable error, String requestId) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (cause instanceof TimeoutException) {
            LOG.warn("admin request {} {} from {} not answered within {} s", call.method(), pathOnly(call.uri()),
                    call.address(), limits.requestTimeout().toSeconds());
            return Problem.of(503, "the request was not answered in time; try again", requestId);
        }
        if (cause instanceof RejectedExecutionException) {
            return Problem.of(503, "the admin plane is busy; try again", requestId).with("Retry-After", "1");
        }
        LOG.error("admin request {} {} failed (request id {})", call.method(), pathOnly(call.uri()), requestId, cause);
        return Problem.of(500, "the request failed; the broker log has details under request id " + requestId,
                requestId);
    }

    private static String pathOnly(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    private void write(ChannelHandlerContext ctx, HttpAnswer answer, boolean keepAlive, boolean head, String requestId) {
        if (!ctx.channel().isActive()) {
            if (answer.stream() != null) {
                answer.stream().closed();
            }
            return;
        }
        if (answer.stream() != null && !head) {
            stream(ctx, answer, requestId);
            return;
        }
        FullHttpResponse response = response(answer, keepAlive, head, secure, requestId);
        deadline.answered();
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * Starts a Server-Sent Events answer: the head now, events as the stream sends them. The connection no longer
     * times out for lack of requests; the stream keeps it busy and ends it.
     */
    private void stream(ChannelHandlerContext ctx, HttpAnswer answer, String requestId) {
        streaming = true;
        if (ctx.pipeline().get(AdminChannelInitializer.IDLE) != null) {
            ctx.pipeline().remove(AdminChannelInitializer.IDLE);
        }
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
        SecurityHeaders.apply(h, secure);
        h.set("X-Request-Id", requestId);
        for (Map.Entry<String, String> e : answer.headers()) {
            h.set(e.getKey(), e.getValue());
        }
        HttpUtil.setTransferEncodingChunked(response, true);
        ctx.write(response);
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("retry: 3000\n\n", StandardCharsets.UTF_8)));
        ctx.channel().closeFuture().addListener(f -> answer.stream().closed());
        answer.stream().open(new ChannelSink(ctx.channel()));
    }

    /** Events of one stream, written to its connection from any thread; nothing queues up for a slow reader. */
    private static final class ChannelSink implements EventStream.Sink {
        private final Channel channel;

        ChannelSink(Channel channel) {
            this.channel = channel;
        }

        @Override
        public boolean send(String event, String data) {
            if (!channel.isActive() || !channel.isWritable()) {
                return false;
            }
            String text = "event: " + event + "\ndata: " + data + "\n\n";
            channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)));
            return true;
        }

        @Override
        public void comment(String text) {
            if (channel.isActive() && channel.isWritable()) {
                channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(": " + text + "\n\n",
                        StandardCharsets.UTF_8)));
            }
        }

        @Override
        public void close() {
            if (channel.isActive()) {
                channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public boolean isOpen() {
            return channel.isActive();
        }
    }

    /** The response for {@code answer}, with the security headers. */
    static FullHttpResponse response(HttpAnswer answer, boolean keepAlive, boolean head, boolean secure,
                                     String requestId) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(answer.status()),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(answer.body()));
        HttpHeaders h = response.headers();
        if (answer.contentType() != null) {
            h.set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
        }
        h.set(HttpHeaderNames.CONTENT_LENGTH, answer.body().length);
        SecurityHeaders.apply(h, secure);
        if (requestId != null) {
            h.set("X-Request-Id", requestId);
        }
        for (Map.Entry<String, String> e : answer.headers()) {
            if (SecurityHeaders.isOverridable(e.getKey())) {
                h.set(e.getKey(), e.getValue());
            } else {
                h.add(e.getKey(), e.getValue());
            }
        }
        h.set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        return response;
    }

    private static String requestId() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof ReadTimeoutException)) {
            LOG.debug("admin connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        }
        ctx.close();
    }
}
