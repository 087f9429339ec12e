package io.rampart.server.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The shaded JAR ({@code target/rampart.jar}, built before failsafe runs) in a process of its own, with the JVM
 * options a test gives: what the process's resident set size does can then be measured ({@link #rssBytes()}), which a
 * broker inside the test JVM does not allow. Its output is collected; {@link #close()} ends it.
 */
public final class BrokerProcess implements AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(60);

    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private BrokerProcess(Process process) {
        this.process = process;
        pump(process.getInputStream());
    }

    /**
     * Starts {@code java JVM-OPTIONS -jar rampart.jar --config CONFIG} in {@code dir} and waits until it is ready.
     *
     * @param yaml the configuration, written to {@code dir/broker.yaml}
     */
    public static BrokerProcess start(Path dir, List<String> jvmOptions, String yaml) throws IOException {
        Path jar = jar();
        List<String> command = new ArrayList<>();
        command.add(java().toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        return launch(dir, command, Map.of(), yaml);
    }

    /** The shaded JAR the ITs run, built before failsafe runs. */
    public static Path jar() {
        Path jar = Path.of(System.getProperty("rampart.jar", "target/rampart.jar")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing (failsafe runs after package)");
        }
        return jar;
    }

    /** The java command of the JVM running the tests. */
    public static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /**
     * Starts {@code command --config CONFIG} in {@code dir} with {@code environment} added to this process's, and
     * waits until the broker is ready.
     *
     * @param yaml the configuration, written to {@code dir/broker.yaml}
     */
    public static BrokerProcess launch(Path dir, List<String> command, Map<String, String> environment, String yaml)
            throws IOException {
        Path config = dir.resolve("broker.yaml");
        Files.writeString(config, yaml);
        List<String> full = new ArrayList<>(command);
        full.add("--config");
        full.add(config.toString());
        ProcessBuilder builder = new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process p = builder.start();
        BrokerProcess broker = new BrokerProcess(p);
        await().atMost(STARTUP).failFast("the broker exited: " + broker.output, () -> !p.isAlive())
                .until(() -> broker.output.indexOf("Rampart is ready") >= 0);
        return broker;
    }

    /** A TCP port on the loopback address that is free now. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName(TestBroker.HOST))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long pid() {
        return process.pid();
    }

    /** The process's resident set size now ({@code VmRSS} of {@code /proc/PID/status}). */
    public long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS for process " + process.pid());
    }

    /** {@code GET http://127.0.0.1:ADMIN_PORT/metrics}, parsed. */
    public Scrape scrape(int adminPort) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + TestBroker.HOST + ":"
                    + adminPort + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return Scrape.parse(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String output() {
        return output.toString();
    }

    private void pump(InputStream in) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[4096];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    output.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                output.append("(output unreadable: ").append(e.getMessage()).append(')');
            }
        }, "broker-process-output");
        t.setDaemon(true);
        t.start();
    }

    /** Asks the broker to stop (SIGTERM) and waits up to {@code within} for the process to end; its exit code. */
    public int stop(Duration within) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the broker did not exit within " + within + ": " + output);
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
