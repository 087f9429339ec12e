package io.rampart.server.events;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.rampart.server.it.support.EventLogFile;
import io.rampart.server.metrics.BrokerMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The TLS part of the client-connected event: protocol, cipher suite and client certificate subject read
 * from the connection's SslHandler after a real handshake (two in-memory channels, JDK TLS).
 */
class BrokerEventsTlsTest {

    @TempDir
    Path dir;

    @Test
    void clientConnected_onATlsConnection_namesProtocolCipherAndCertificateSubject() throws Exception {
        SelfSignedCertificate serverCert = new SelfSignedCertificate("broker.test");
        SelfSignedCertificate clientCert = new SelfSignedCertificate("device-7.test");
        SslContext server = SslContextBuilder.forServer(serverCert.certificate(), serverCert.privateKey())
                .sslProvider(SslProvider.JDK).clientAuth(ClientAuth.REQUIRE)
                .trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        SslContext client = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .keyManager(clientCert.certificate(), clientCert.privateKey())
                .trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        SslHandler serverSsl = server.newHandler(ByteBufAllocator.DEFAULT);
        SslHandler clientSsl = client.newHandler(ByteBufAllocator.DEFAULT);
        EmbeddedChannel serverChannel = new EmbeddedChannel(serverSsl);
        EmbeddedChannel clientChannel = new EmbeddedChannel(clientSsl);
        try (BrokerMetrics metrics = BrokerMetrics.prometheusOnly();
             EventLogFile log = new EventLogFile(dir.resolve("events.log"))) {
            for (int i = 0; i < 50 && !(serverSsl.handshakeFuture().isDone() && clientSsl.handshakeFuture().isDone()); i++) {
                shuttle(clientChannel, serverChannel);
                shuttle(serverChannel, clientChannel);
            }
            assertThat(serverSsl.handshakeFuture().isSuccess()).as("handshake").isTrue();

            new BrokerEvents(metrics, false).clientConnected("mqtts", serverChannel, "tls-device-7", null, 5, true, 0,
                    30, false);
            assertThat(log.await("tls-device-7"))
                    .contains(" listener=mqtts ", " tls-protocol=TLSv1.3 ")
                    .containsPattern(" tls-cipher=TLS_\\S+ ")
                    .endsWith(" tls-subject=\"CN=device-7.test\"");
        } finally {
            serverChannel.finishAndReleaseAll();
            clientChannel.finishAndReleaseAll();
            serverCert.delete();
            clientCert.delete();
        }
    }

    private static void shuttle(EmbeddedChannel from, EmbeddedChannel to) {
        ByteBuf buf;
        while ((buf = from.readOutbound()) != null) {
            to.writeInbound(buf);
        }
        to.runPendingTasks();
        from.runPendingTasks();
    }
}
