package io.rampart.server.it.support;

import com.sun.net.httpserver.HttpServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

/**
 * A real OTLP trace endpoint on a free loopback port: {@link #http()} takes protobuf over HTTP
 * ({@code POST /v1/traces}), {@link #grpc()} the gRPC {@code TraceService/Export} call over cleartext HTTP/2 (prior
 * knowledge, as OTLP exporters speak to {@code http://} endpoints). Every request is decoded with the
 * {@code opentelemetry-proto} classes; the spans and the request headers are kept for the test to inspect.
 */
public final class OtlpReceiver implements AutoCloseable {

    /** One exported span, decoded: ids in lower-case hex, attribute values as text. */
    public record ReceivedSpan(String traceId, String spanId, String parentSpanId, String name, Span.SpanKind kind,
                               Map<String, String> attributes, Map<String, String> resource) {

        public String attribute(String key) {
            return attributes.get(key);
        }

        /** Every attribute value of the span and of its resource, for "never contains" checks. */
        public List<String> allValues() {
            List<String> values = new ArrayList<>(attributes.values());
            values.addAll(resource.values());
            values.add(name);
            return values;
        }
    }

    private final ConcurrentLinkedQueue<ReceivedSpan> spans = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Map<String, String>> requestHeaders = new ConcurrentLinkedQueue<>();
    private final AtomicInteger requests = new AtomicInteger();
    private HttpServer http;
    private EventLoopGroup group;
    private Channel grpcChannel;
    private int port;

    private OtlpReceiver() {
    }

    /** An OTLP/HTTP (protobuf) endpoint: {@link #endpoint()} is its {@code /v1/traces} URL. */
    public static OtlpReceiver http() {
        OtlpReceiver receiver = new OtlpReceiver();
        try {
            receiver.http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        receiver.http.createContext("/v1/traces", exchange -> {
            try (exchange; InputStream body = exchange.getRequestBody()) {
                Map<String, String> headers = new LinkedHashMap<>();
                exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT),
                        String.join(",", v)));
                receiver.requestHeaders.add(headers);
                receiver.decode(ExportTraceServiceRequest.parseFrom(body.readAllBytes()));
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, 0);
            }
        });
        receiver.http.start();
        receiver.port = receiver.http.getAddress().getPort();
        return receiver;
    }

    /**
     * An OTLP/HTTP endpoint that answers every export with HTTP {@code status} (e.g. 400, which an exporter does not
     * retry) and keeps nothing but the count of requests ({@link #requests()}).
     */
    public static OtlpReceiver refusing(int status) {
        OtlpReceiver receiver = new OtlpReceiver();
        try {
            receiver.http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        receiver.http.createContext("/v1/traces", exchange -> {
            try (exchange; InputStream body = exchange.getRequestBody()) {
                body.readAllBytes();
                receiver.requests.incrementAndGet();
                exchange.sendResponseHeaders(status, -1);
            }
        });
        receiver.http.start();
        receiver.port = receiver.http.getAddress().getPort();
        return receiver;
    }

    /** An OTLP/gRPC endpoint: {@link #endpoint()} is its {@code http://host:port}. */
    public static OtlpReceiver grpc() {
        OtlpReceiver receiver = new OtlpReceiver();
        receiver.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        receiver.grpcChannel = new ServerBootstrap().group(receiver.group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                                new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                    @Override
                                    protected void initChannel(Http2StreamChannel stream) {
                                        stream.pipeline().addLast(receiver.new GrpcCall());
                                    }
                                }));
                    }
                })
                .bind("127.0.0.1", 0).syncUninterruptibly().channel();
        receiver.port = ((InetSocketAddress) receiver.grpcChannel.localAddress()).getPort();
        return receiver;
    }

    public String endpoint() {
        return http != null ? "http://127.0.0.1:" + port + "/v1/traces" : "http://127.0.0.1:" + port;
    }

    public List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    /** The spans named {@code name}, in arrival order. */
    public List<ReceivedSpan> spans(String name) {
        return spans.stream().filter(s -> s.name().equals(name)).toList();
    }

    /** The spans of one trace. */
    public List<ReceivedSpan> trace(String traceId) {
        return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
    }

    /** How many export requests a {@link #refusing} endpoint answered. */
    public int requests() {
        return requests.get();
    }

    /** The headers of every export request (names in lower case). */
    public List<Map<String, String>> requestHeaders() {
        return List.copyOf(requestHeaders);
    }

    private void decode(ExportTraceServiceRequest request) {
        HexFormat hex = HexFormat.of();
        for (ResourceSpans rs : request.getResourceSpansList()) {
            Map<String, String> resource = values(rs.getResource().getAttributesList());
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (Span span : ss.getSpansList()) {
                    spans.add(new ReceivedSpan(hex.formatHex(span.getTraceId().toByteArray()),
                            hex.formatHex(span.getSpanId().toByteArray()),
                            hex.formatHex(span.getParentSpanId().toByteArray()), span.getName(), span.getKind(),
                            values(span.getAttributesList()), resource));
                }
            }
        }
    }

    private static Map<String, String> values(List<KeyValue> attributes) {
        return attributes.stream().collect(Collectors.toMap(KeyValue::getKey, kv -> text(kv.getValue()),
                (a, b) -> b, LinkedHashMap::new));
    }

    private static String text(AnyValue value) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> value.getStringValue();
            case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
            case INT_VALUE -> Long.toString(value.getIntValue());
            case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
            default -> value.toString();
        };
    }

    /** One gRPC unary call on one HTTP/2 stream: headers, length-prefixed message, then the answer with trailers. */
    private final class GrpcCall extends SimpleChannelInboundHandler<Http2StreamFrame> {
        private final ByteBuf body = Unpooled.buffer();
        private String path;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) throws Exception {
            if (frame instanceof Http2HeadersFrame headers) {
                path = String.valueOf(headers.headers().path());
                Map<String, String> copy = new LinkedHashMap<>();
                headers.headers().forEach(e -> copy.put(e.getKey().toString(), e.getValue().toString()));
                requestHeaders.add(copy);
            } else if (frame instanceof Http2DataFrame data) {
                body.writeBytes(data.content());
                if (data.isEndStream()) {
                    answer(ctx);
                }
            }
        }

        private void answer(ChannelHandlerContext ctx) throws IOException {
            Http2Headers response = new DefaultHttp2Headers().status("200").set("content-type", "application/grpc");
            if (!"/opentelemetry.proto.collector.trace.v1.TraceService/Export".equals(path)) {
                ctx.write(new DefaultHttp2HeadersFrame(response));
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().set("grpc-status", "12"), true));
                return;
            }
            boolean compressed = body.readByte() == 1; // with the grpc-encoding of the request headers: gzip
            int length = body.readInt();
            byte[] message = new byte[length];
            body.readBytes(message);
            body.release();
            if (compressed) {
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(message))) {
                    message = in.readAllBytes();
                }
            }
            decode(ExportTraceServiceRequest.parseFrom(message));
            ctx.write(new DefaultHttp2HeadersFrame(response));
            ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[5])));
            ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().set("grpc-status", "0"), true));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (body.refCnt() > 0) {
                body.release();
            }
            ctx.fireChannelInactive();
        }
    }

    @Override
    public void close() {
        if (http != null) {
            http.stop(0);
        }
        if (grpcChannel != null) {
            grpcChannel.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
