package io.rampart.bench.load;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.File;
import javax.net.ssl.SSLException;

/**
 * TLS of the generator's connections. Every connection makes a full handshake (no session resumption: the
 * handler is created without peer host and port), so the connect scenario measures handshakes.
 *
 * @param protocol {@code TLSv1.2}, {@code TLSv1.3} or {@code null} for both
 * @param caFile   PEM file the server certificate must chain to, or {@code null} to accept any certificate
 *                 (benchmarks on loopback only)
 * @param groups   key-exchange groups to offer (OpenSSL names such as {@code X25519}, {@code P-256},
 *                 {@code X25519MLKEM768}), or {@code null} for the provider's defaults
 */
public record ClientTls(String protocol, File caFile, String[] groups) {

    public ClientTls(String protocol, File caFile) {
        this(protocol, caFile, null);
    }

    public ClientTls {
        if (protocol != null && !protocol.equals("TLSv1.2") && !protocol.equals("TLSv1.3")) {
            throw new IllegalArgumentException("--tls-version must be 1.2 or 1.3");
        }
        if (caFile != null && !caFile.canRead()) {
            throw new IllegalArgumentException("--cafile " + caFile + " cannot be read");
        }
    }

    /** OpenSSL when available (the cheaper client leaves more CPU to the broker), otherwise the JDK. */
    public SslContext context() {
        try {
            SslContextBuilder b = SslContextBuilder.forClient()
                    .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                    .endpointIdentificationAlgorithm(null);
            if (protocol != null) {
                b.protocols(protocol);
            }
            if (groups != null) {
                b.option(io.netty.handler.ssl.OpenSslContextOption.GROUPS, groups);
            }
            if (caFile != null) {
                b.trustManager(caFile);
            } else {
                b.trustManager(InsecureTrustManagerFactory.INSTANCE);
            }
            return b.build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    public String label() {
        return protocol == null ? "TLS" : protocol;
    }
}
