package io.rampart.server.it.support;

import com.sun.net.httpserver.HttpServer;
import org.awaitility.Awaitility;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Real TLS peers for the end-to-end tests: {@code openssl s_client}, {@code mosquitto_pub}, an
 * {@code openssl ocsp} responder process, a CRL distribution point (JDK HTTP server) and a bare JDK handshake.
 * Every process runs with a timeout and its output goes to a file.
 */
public final class TlsTools {

    private TlsTools() {
    }

    /** Exit code and combined output of a finished process. */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs a command to completion (at most 20 s) with stdin at end of file. */
    public static Result run(List<String> command) throws Exception {
        return runWithInput(command, null);
    }

    /**
     * Runs a command to completion (at most 20 s), writing {@code input} to its standard input and keeping that
     * open until the command ends (s_client quits at the end of its input, before it would see the answer to a
     * command typed there); {@code null}: standard input at end of file.
     */
    public static Result runWithInput(List<String> command, String input) throws Exception {
        File out = File.createTempFile("tls-tool", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out);
            if (input == null) {
                builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            }
            Process p = builder.start();
            if (input != null) {
                p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
                p.getOutputStream().flush();
            }
            boolean ended = p.waitFor(20, TimeUnit.SECONDS);
            if (input != null) {
                p.getOutputStream().close();
            }
            if (!ended) {
                p.destroyForcibly();
                throw new AssertionError(command + " did not finish in 20 s: "
                        + Files.readString(out.toPath(), StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8));
        } finally {
            out.delete();
        }
    }

    /** {@code openssl s_client} against a local port, trusting {@code caFile}; returns when the handshake is over. */
    public static Result sClient(int port, Path caFile, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-CAfile", caFile.toString(), "-verify_return_error", "-brief"));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    /** {@code mosquitto_pub} publishing one message over TLS. */
    public static Result mosquittoPub(int port, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/mosquitto_pub", "-h", "127.0.0.1", "-p",
                Integer.toString(port)));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    /** A port that was free a moment ago. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The server certificate a JDK client sees, asking for {@code sniHost} (or none). */
    public static X509Certificate serverCertificate(int port, SSLContext context, String sniHost) throws Exception {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            if (sniHost != null) {
                SSLParameters params = socket.getSSLParameters();
                params.setServerNames(List.of(new SNIHostName(sniHost)));
                socket.setSSLParameters(params);
            }
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    /** Whether a JDK client with {@code context} completes a handshake (and the server does not drop it right away). */
    public static boolean handshakes(int port, SSLContext context) {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            // In TLS 1.3 the server judges the client certificate after the client finished: a refusal arrives
            // as an alert on the first read. MQTT servers send nothing before CONNECT, so send one.
            socket.getOutputStream().write(new byte[]{0x10, 0x0d, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3c,
                    0x00, 0x01, 'h'});
            socket.getOutputStream().flush();
            int b = socket.getInputStream().read();
            return b == 0x20;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A Python {@code ssl} client that keeps its TLS session between connections and resumes it, as a device does
     * after a reconnect (script {@code tls/resume_client.py}). Each {@link #connect()} opens one connection, sends
     * an MQTT 3.1.1 CONNECT with the client id and reads the CONNACK.
     */
    public static final class Resumer implements AutoCloseable {

        /**
         * One connection.
         *
         * @param reused   whether the TLS session was resumed ({@code null}: no handshake)
         * @param connack  the CONNACK return code, {@code null} when none came
         * @param lifetime the lifetime the server gave the session (ticket lifetime hint), in seconds
         * @param error    the TLS alert (reason, e.g. {@code SSLV3_ALERT_CERTIFICATE_REVOKED}) or I/O error, or
         *                 {@code null}
         * @param protocol {@code TLSv1.2} or {@code TLSv1.3}
         */
        public record Attempt(Boolean reused, Integer connack, Long lifetime, String error, String protocol) {
            public boolean accepted() {
                return connack != null && connack == 0;
            }
        }

        private final Process process;
        private final java.io.Writer in;
        private final java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();

        /**
         * @param client  the client certificate, or {@code null} for none
         * @param version {@code 1.2} or {@code 1.3}
         */
        public Resumer(int port, Path caFile, TlsPki.Issued client, String version, String clientId) throws Exception {
            String script;
            try (java.io.InputStream s = TlsTools.class.getResourceAsStream("/tls/resume_client.py")) {
                script = new String(s.readAllBytes(), StandardCharsets.UTF_8);
            }
            process = new ProcessBuilder("python3", "-c", script, "127.0.0.1", Integer.toString(port), caFile.toString(),
                    client == null ? "-" : client.certPem().toString(), client == null ? "-" : client.keyPem().toString(),
                    version, clientId).redirectErrorStream(true).start();
            in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (java.io.BufferedReader out = new java.io.BufferedReader(
                        new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = out.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("{\"error\": \"" + e + "\"}");
                }
            }, "resume-client-output");
            reader.setDaemon(true);
            reader.start();
        }

        /** One connection, resuming the session of the last accepted one. */
        public Attempt connect() throws Exception {
            in.write("connect\n");
            in.flush();
            String line = lines.poll(30, TimeUnit.SECONDS);
            if (line == null || !line.startsWith("{")) {
                throw new AssertionError("the Python TLS client did not answer: " + line + " " + String.join("\n", lines));
            }
            return new Attempt(bool(line, "reused"), number(line, "connack") == null ? null
                    : number(line, "connack").intValue(), number(line, "lifetime"), text(line, "error"),
                    text(line, "protocol"));
        }

        private static Boolean bool(String json, String key) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + key + "\": (true|false)").matcher(json);
            return m.find() ? Boolean.valueOf(m.group(1)) : null;
        }

        private static Long number(String json, String key) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + key + "\": (\\d+)").matcher(json);
            return m.find() ? Long.valueOf(m.group(1)) : null;
        }

        private static String text(String json, String key) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + key + "\": \"([^\"]*)\"").matcher(json);
            return m.find() ? m.group(1) : null;
        }

        @Override
        public void close() {
            try {
                in.write("quit\n");
                in.close();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (IOException e) {
                process.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    /** A CRL distribution point: serves the current bytes at {@code /ca.crl}. */
    public static final class CrlServer implements AutoCloseable {
        private final HttpServer server;
        private final AtomicReference<byte[]> crl = new AtomicReference<>(new byte[0]);
        private volatile int requests;

        public CrlServer() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/ca.crl", exchange -> {
                requests++;
                byte[] body = crl.get();
                exchange.getResponseHeaders().add("Content-Type", "application/pkix-crl");
                exchange.sendResponseHeaders(body.length == 0 ? 404 : 200, body.length == 0 ? -1 : body.length);
                if (body.length > 0) {
                    exchange.getResponseBody().write(body);
                }
                exchange.close();
            });
            server.start();
        }

        public String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/ca.crl";
        }

        public void serve(java.security.cert.X509CRL value) throws Exception {
            crl.set(value.getEncoded());
        }

        public int requests() {
            return requests;
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** An {@code openssl ocsp} responder process for a test CA, signing with the CA key. */
    public static final class OcspResponder implements AutoCloseable {
        private final Process process;
        private final int port;
        private final File log;

        /** Starts {@code openssl ocsp} on {@code port} (see {@link #freePort()}) answering from {@code index}. */
        public OcspResponder(TlsPki pki, Path index, int port) throws Exception {
            this(pki, index, port, 5);
        }

        /**
         * @param nextUpdateMinutes how long its answers say they are fresh (nextUpdate), which is how long the
         *                          broker caches them
         */
        public OcspResponder(TlsPki pki, Path index, int port, int nextUpdateMinutes) throws Exception {
            this.port = port;
            this.log = File.createTempFile("ocsp", ".log");
            this.process = new ProcessBuilder("openssl", "ocsp", "-index", index.toString(), "-port",
                    Integer.toString(port), "-rsigner", pki.caPem().toString(), "-rkey", pki.caKeyPem().toString(),
                    "-CA", pki.caPem().toString(), "-nmin",
                    Integer.toString(nextUpdateMinutes))
                    .redirectErrorStream(true).redirectOutput(log).start();
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
                if (!process.isAlive()) {
                    throw new AssertionError("openssl ocsp exited: " + Files.readString(log.toPath()));
                }
                // Not a probe connection: openssl ocsp serves one connection at a time and stalls on an empty one.
                return Files.readString(log.toPath()).contains("waiting for OCSP client connections");
            });
        }

        public String url() {
            return "http://127.0.0.1:" + port;
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
            log.delete();
        }
    }
}
