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
import io.rampart.tls.ClientCertificates;
import io.rampart.server.metrics.BrokerMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

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

    @Test
    void clientConnected_readsTheHandshakeResultStoredOnTheChannel() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.attr(ClientCertificates.VARIABLES).set(Map.of(ClientCertificates.PROTOCOL, "TLSv1.2",
                ClientCertificates.CIPHER, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                ClientCertificates.SUBJECT_DN, "CN=sensor-9,O=Plant 4"));
        EmbeddedChannel anonymous = new EmbeddedChannel();
        anonymous.attr(ClientCertificates.VARIABLES).set(Map.of(ClientCertificates.PROTOCOL, "TLSv1.3",
                ClientCertificates.CIPHER, "TLS_AES_128_GCM_SHA256"));
        try (BrokerMetrics metrics = BrokerMetrics.prometheusOnly();
             EventLogFile log = new EventLogFile(dir.resolve("events.log"))) {
            BrokerEvents events = new BrokerEvents(metrics, false);
            events.clientConnected("mqtts", channel, "sensor-9", null, 4, true, 0, 30, false);
            events.clientConnected("mqtts", anonymous, "no-cert", null, 4, true, 0, 30, false);
            assertThat(log.await("sensor-9"))
                    .contains(" tls-protocol=TLSv1.2 ", " tls-cipher=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ")
                    .endsWith(" tls-subject=\"CN=sensor-9,O=Plant 4\"");
            assertThat(log.await("no-cert"))
                    .contains(" tls-protocol=TLSv1.3 ", " tls-cipher=TLS_AES_128_GCM_SHA256 ")
                    .endsWith(" tls-subject=none");
        } finally {
            channel.finishAndReleaseAll();
            anonymous.finishAndReleaseAll();
        }
    }

    @Test
    void hex_matchesTheFormatOfTwoLowerCaseDigits() {
        for (int code : new int[] {0, 4, 0x0a, 0x80, 0x8b, 0xff, 0x100, 0x1234, -1}) {
            assertThat(BrokerEvents.hex(code)).isEqualTo(String.format("0x%02x", code));
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
