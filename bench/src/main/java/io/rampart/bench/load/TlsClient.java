package io.rampart.bench.load;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.File;
import javax.net.ssl.SSLException;

/**
 * Client-side TLS of the load generator. Every connection does a full handshake: the engines are created
 * without peer host and port, so neither provider can find a cached session to resume, which is what a
 * fleet of devices reconnecting after a broker restart looks like.
 */
public final class TlsClient {

    private final SslContext context;
    private final String description;

    private TlsClient(SslContext context, String description) {
        this.context = context;
        this.description = description;
    }

    /**
     * @param protocol {@code TLSv1.2}, {@code TLSv1.3} or {@code null} for whatever both sides prefer
     * @param caFile   PEM bundle the broker's certificate must chain to, or {@code null} to accept any
     *                 certificate (load testing only)
     */
    public static TlsClient create(String protocol, File caFile) {
        SslProvider provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(provider);
        if (protocol != null) {
            builder.protocols(protocol);
        } else {
            builder.protocols("TLSv1.3", "TLSv1.2");
        }
        // Engines have no peer host (see the class comment), so there is no name to verify: the chain is checked.
        builder.endpointIdentificationAlgorithm(null);
        if (caFile != null) {
            builder.trustManager(caFile);
        } else {
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
        }
        try {
            return new TlsClient(builder.build(), (protocol == null ? "TLS" : protocol) + " via " + provider
                    + (caFile == null ? ", server certificate not verified" : ", verified against " + caFile));
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot build the TLS client context: " + e.getMessage(), e);
        }
    }

    SslHandler newHandler(ByteBufAllocator alloc) {
        return context.newHandler(alloc);
    }

    public String description() {
        return description;
    }
}
