package io.rampart.server.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real DNS server for tests: Debian's {@code dnsmasq} on a free loopback port, answering only the names it is given
 * (A records from a hosts file), asking no upstream server. Installed by {@code scripts/test.sh} ({@code dnsmasq-base}).
 */
public final class Dnsmasq implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private Dnsmasq(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts dnsmasq in {@code dir} answering each name of {@code records} with its addresses (A records). */
    public static Dnsmasq start(Path dir, Map<String, List<String>> records) {
        try {
            Files.createDirectories(dir);
            Path hosts = dir.resolve("hosts");
            StringBuilder lines = new StringBuilder();
            records.forEach((name, addresses) -> addresses.forEach(a -> lines.append(a).append(' ').append(name)
                    .append('\n')));
            Files.writeString(hosts, lines.toString(), StandardCharsets.US_ASCII);
            Path log = dir.resolve("dnsmasq.log");
            for (int attempt = 1; ; attempt++) {
                Dnsmasq dns = launch(hosts, freePort(), log);
                try {
                    await().atMost(Duration.ofSeconds(30)).until(() -> !dns.process.isAlive()
                            || dns.log().contains("read " + hosts));
                } catch (RuntimeException e) {
                    dns.close();
                    throw e;
                }
                if (dns.process.isAlive()) {
                    return dns;
                }
                // Another process took the port between the pick and dnsmasq's bind (UDP and TCP): another port.
                assertThat(attempt < 5 && dns.log().contains("Address already in use"))
                        .as("dnsmasq exited: %s", dns.log()).isTrue();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Dnsmasq launch(Path hosts, int port, Path log) throws IOException {
        Process p = new ProcessBuilder("/usr/sbin/dnsmasq", "--keep-in-foreground", "--no-daemon",
                "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
                "--addn-hosts=" + hosts, "--user=" + System.getProperty("user.name"), "--pid-file=",
                "--log-queries", "--log-facility=-")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Dnsmasq(p, port, log);
    }

    /** {@code 127.0.0.1:<port>}, as {@code cluster.dns-server} takes it. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** What dnsmasq logged, queries included. */
    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    /** A loopback port free for both UDP and TCP (dnsmasq binds both). */
    private static int freePort() throws IOException {
        while (true) {
            try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                 DatagramSocket udp = new DatagramSocket(tcp.getLocalPort(), InetAddress.getLoopbackAddress())) {
                return udp.getLocalPort();
            } catch (java.net.BindException e) {
                // taken for UDP: another one
            }
        }
    }
}
