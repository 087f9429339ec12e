package io.rampart.server.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
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
            int port = freeUdpPort();
            Path log = dir.resolve("dnsmasq.log");
            Process p = new ProcessBuilder("/usr/sbin/dnsmasq", "--keep-in-foreground", "--no-daemon",
                    "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
                    "--addn-hosts=" + hosts, "--user=" + System.getProperty("user.name"), "--pid-file=",
                    "--log-queries", "--log-facility=-")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Dnsmasq dns = new Dnsmasq(p, port, log);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                assertThat(p.isAlive()).as("dnsmasq exited: %s", dns.log()).isTrue();
                return dns.log().contains("read " + hosts);
            });
            return dns;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
