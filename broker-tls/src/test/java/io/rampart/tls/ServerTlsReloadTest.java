package io.rampart.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCounted;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ServerTlsReloadTest {

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopTimers() {
        timers.shutdownNow();
    }

    /**
     * A generation replaced by a reload is released after a delay (handshakes may still be starting with it);
     * a listener closed before that delay ran out releases it at once instead of leaving it to the garbage
     * collector with its native memory.
     */
    @Test
    void closingSoonAfterAReload_releasesTheReplacedContextsToo(@TempDir Path dir) throws Exception {
        Path live = dir.resolve("live");
        TlsSettings.KeyMaterial material = DevCertificate.ensure(live, "reload-test");
        ServerTls tls = ServerTls.open("reload-test", TlsSettings.defaults(material), timers, null);
        SslContext first = tls.defaultContext();
        assumeTrue(first instanceof ReferenceCounted, "reference-counted contexts (OpenSSL provider)");

        Path other = dir.resolve("other");
        DevCertificate.ensure(other, "reload-test");
        Files.copy(other.resolve(DevCertificate.CERT_FILE), material.certificateChain(), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(other.resolve(DevCertificate.KEY_FILE), material.privateKey(), StandardCopyOption.REPLACE_EXISTING);
        tls.poll();
        SslContext second = tls.defaultContext();
        assertThat(second).isNotSameAs(first);
        assertThat(((ReferenceCounted) first).refCnt()).as("kept for handshakes starting with it").isEqualTo(1);

        tls.close();
        assertThat(((ReferenceCounted) first).refCnt()).isZero();
        assertThat(((ReferenceCounted) second).refCnt()).isZero();
    }
}
