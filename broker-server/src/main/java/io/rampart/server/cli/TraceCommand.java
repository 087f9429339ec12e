package io.rampart.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rampart.server.cli.HashCommand.CliError;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code rampart trace start|list|show|stop|download|delete}: trace recordings of a running broker, through its
 * admin API ({@code /api/v1/traces}) with an API token. The token comes from {@code --token-file} or the
 * environment variable {@code RAMPART_TOKEN}, never from the command line.
 */
@Command(name = "trace", exitCodeOnInvalidInput = 1,
        description = {"Records the MQTT packets of chosen clients through the admin API (see docs/TRACING.md).",
                "Example:  RAMPART_TOKEN=rmp_... rampart trace start --url https://broker:9443 --client-id 'pump-7'"},
        subcommands = {TraceCommand.Start.class, TraceCommand.ListTraces.class, TraceCommand.Show.class,
                TraceCommand.Stop.class, TraceCommand.Download.class, TraceCommand.Delete.class})
public final class TraceCommand implements Runnable {

    static final String TOKEN_VARIABLE = "RAMPART_TOKEN";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--url", paramLabel = "URL", scope = CommandLine.ScopeType.INHERIT,
            description = "The admin listener. Default: ${DEFAULT-VALUE}")
    String url = "http://127.0.0.1:9090";

    @Option(names = "--token-file", paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT,
            description = "A file holding the API token (default: the environment variable " + TOKEN_VARIABLE + ").")
    Path tokenFile;

    @Option(names = "--cacert", paramLabel = "PEM", scope = CommandLine.ScopeType.INHERIT,
            description = "Trust only these CA certificates for an https URL (default: the JDK's trusted CAs).")
    Path caCertificates;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    public TraceCommand() {
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    /** One call of the admin API; the answer body, or a {@link CliError} with the problem's detail. */
    byte[] call(String method, String path, String body) throws CliError {
        String token = token();
        URI uri;
        try {
            uri = URI.create(url.replaceAll("/+$", "") + path);
        } catch (IllegalArgumentException e) {
            throw new CliError("--url is not a valid URL: " + e.getMessage());
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (caCertificates != null) {
            client.sslContext(trusting(caCertificates));
        }
        HttpResponse<byte[]> answer;
        try {
            answer = client.build().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new CliError("cannot reach " + uri + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliError("interrupted");
        }
        if (answer.statusCode() >= 300) {
            String detail;
            try {
                detail = JSON.readTree(answer.body()).path("detail").asText("");
            } catch (IOException e) {
                detail = "";
            }
            throw new CliError("HTTP " + answer.statusCode() + (detail.isEmpty() ? "" : ": " + detail));
        }
        return answer.body();
    }

    private String token() throws CliError {
        String token;
        if (tokenFile != null) {
            try {
                token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new CliError("cannot read --token-file " + tokenFile + ": " + e.getMessage());
            }
        } else {
            token = System.getenv(TOKEN_VARIABLE);
        }
        if (token == null || token.isBlank()) {
            throw new CliError("no API token: give --token-file or set " + TOKEN_VARIABLE
                    + " (create one with 'rampart token create --role operator')");
        }
        return token;
    }

    private static SSLContext trusting(Path pem) throws CliError {
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + n++, c);
            }
            if (n == 0) {
                throw new CliError("--cacert " + pem + " holds no certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        } catch (IOException | GeneralSecurityException e) {
            throw new CliError("cannot read --cacert " + pem + ": " + e.getMessage());
        }
    }

    static int fail(CommandSpec sub, String message) {
        sub.commandLine().getErr().println("rampart trace " + sub.name() + ": " + message);
        sub.commandLine().getErr().flush();
        return 1;
    }

    /** Prints a JSON answer indented. */
    static void print(CommandSpec sub, byte[] json) throws IOException {
        PrintWriter out = sub.commandLine().getOut();
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(json)));
        out.flush();
    }

    private static String id(String id) {
        return java.net.URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A sub-command: the API call it makes and what it prints. */
    abstract static class Call implements Callable<Integer> {
        @ParentCommand
        TraceCommand parent;

        @Spec
        CommandSpec spec;

        abstract void run() throws CliError, IOException;

        @Override
        public Integer call() {
            try {
                run();
                return 0;
            } catch (CliError e) {
                return fail(spec, e.getMessage());
            } catch (IOException e) {
                return fail(spec, e.getMessage());
            }
        }
    }

    @Command(name = "start", description = "Starts a recording; prints it (its id first).")
    static final class Start extends Call {
        @Option(names = "--client-id", paramLabel = "REGEX", description = "Client ids matching this whole.")
        String clientId;

        @Option(names = "--username", paramLabel = "USER", description = "Clients with this CONNECT user name.")
        String username;

        @Option(names = "--address", paramLabel = "CIDR", description = "Clients from this address or network.")
        String address;

        @Option(names = "--topic", paramLabel = "FILTER", description = "Packets whose topic matches this filter.")
        String topic;

        @Option(names = "--type", paramLabel = "TYPE", description = "A packet type to record (PUBLISH, ...);"
                + " repeat for more. Default: all.")
        List<String> types;

        @Option(names = "--duration", paramLabel = "DURATION", description = "How long, e.g. 15m.")
        String duration;

        @Option(names = "--max-bytes", paramLabel = "SIZE", description = "The most to write, e.g. 4MB.")
        String maxBytes;

        @Option(names = "--payloads", description = "Record payloads too (needs data:payload).")
        boolean payloads;

        @Option(names = "--name", paramLabel = "TEXT", description = "A label.")
        String name;

        @Override
        void run() throws CliError, IOException {
            ObjectNode body = JSON.createObjectNode();
            putIf(body, "name", name);
            putIf(body, "clientId", clientId);
            putIf(body, "username", username);
            putIf(body, "address", address);
            putIf(body, "topic", topic);
            if (types != null) {
                types.forEach(body.putArray("packetTypes")::add);
            }
            putIf(body, "duration", duration);
            putIf(body, "maxBytes", maxBytes);
            body.put("payloads", payloads);
            print(spec, parent.call("POST", "/api/v1/traces", JSON.writeValueAsString(body)));
        }

        private static void putIf(ObjectNode body, String key, String value) {
            if (value != null) {
                body.put(key, value);
            }
        }
    }

    @Command(name = "list", description = "Lists the recordings, newest first: id, state, packets, bytes, name.")
    static final class ListTraces extends Call {
        @Override
        void run() throws CliError, IOException {
            PrintWriter out = spec.commandLine().getOut();
            String cursor = null;
            do {
                JsonNode page = JSON.readTree(parent.call("GET", "/api/v1/traces?limit=1000"
                        + (cursor == null ? "" : "&cursor=" + id(cursor)), null));
                for (JsonNode t : page.path("items")) {
                    out.println(t.path("id").asText() + "  " + t.path("state").asText() + "  packets="
                            + t.path("packets").asLong() + "  bytes=" + t.path("bytes").asLong()
                            + (t.path("stopReason").isNull() ? "" : "  (" + t.path("stopReason").asText() + ")")
                            + (t.path("name").isNull() ? "" : "  " + t.path("name").asText()));
                }
                cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText(null);
            } while (cursor != null);
            out.flush();
        }
    }

    @Command(name = "show", description = "Prints one recording.")
    static final class Show extends Call {
        @Parameters(paramLabel = "ID")
        String traceId;

        @Override
        void run() throws CliError, IOException {
            print(spec, parent.call("GET", "/api/v1/traces/" + id(traceId), null));
        }
    }

    @Command(name = "stop", description = "Stops a running recording.")
    static final class Stop extends Call {
        @Parameters(paramLabel = "ID")
        String traceId;

        @Override
        void run() throws CliError, IOException {
            print(spec, parent.call("POST", "/api/v1/traces/" + id(traceId) + "/stop", null));
        }
    }

    @Command(name = "download", description = "Writes the recording's JSON lines to standard output or a file.")
    static final class Download extends Call {
        @Parameters(paramLabel = "ID")
        String traceId;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to this file (created"
                + " owner-only; an existing file is not replaced).")
        Path output;

        @Override
        void run() throws CliError, IOException {
            byte[] lines = parent.call("GET", "/api/v1/traces/" + id(traceId) + "/download", null);
            if (output == null) {
                PrintWriter out = spec.commandLine().getOut();
                out.print(new String(lines, StandardCharsets.UTF_8));
                out.flush();
                return;
            }
            try {
                Files.createFile(output, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(output);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                throw new CliError(output + " exists; choose another --output");
            }
            Files.write(output, lines);
            spec.commandLine().getErr().println("wrote " + lines.length + " bytes to " + output);
            spec.commandLine().getErr().flush();
        }
    }

    @Command(name = "delete", description = "Stops (when running) and deletes a recording with its file.")
    static final class Delete extends Call {
        @Parameters(paramLabel = "ID")
        String traceId;

        @Override
        void run() throws CliError, IOException {
            parent.call("DELETE", "/api/v1/traces/" + id(traceId), null);
            spec.commandLine().getOut().println("deleted trace recording " + traceId);
            spec.commandLine().getOut().flush();
        }
    }
}
