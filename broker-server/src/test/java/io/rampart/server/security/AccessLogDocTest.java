package io.rampart.server.security;

import io.rampart.server.gate.ConnectDecision;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/SECURITY.md lists every {@code action} and {@code kind} the access log can write, and nothing else: the actions
 * and kinds {@link AccessLog} declares, the kinds of refused CONNECTs and re-authentications, and the kinds of refused
 * TLS handshakes that the TLS layer reports ({@code new TlsFailure("...")} and {@code new TlsRejection("...")} in
 * broker-tls). The server passes {@link AccessLog.Kind}s, never a kind spelled out in a string.
 */
class AccessLogDocTest {

    private static final Path ROOT = Path.of("..");
    private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");
    private static final Pattern TLS_KIND = Pattern.compile("new Tls(?:Failure|Rejection)\\(\\s*\"([a-z-]+)\"");
    /** A kind written as a string literal in a call of {@code connect} or {@code reauth} of the access log. */
    private static final Pattern LITERAL_KIND =
            Pattern.compile("\\.(?:connect|reauth)\\(\\s*\\w+,\\s*(?:true|false),\\s*\"([^\"]*)\"");

    private static List<String> doc() throws IOException {
        return Files.readAllLines(ROOT.resolve("docs/SECURITY.md"));
    }

    /** The values in the second cell of the field table's {@code action} row. */
    private static Set<String> documentedActions() throws IOException {
        String row = doc().stream().filter(l -> l.startsWith("| `action` |")).findFirst()
                .orElseThrow(() -> new AssertionError("docs/SECURITY.md has no | `action` | row"));
        Set<String> actions = new TreeSet<>();
        Matcher m = BACKTICKED.matcher(row.split("\\|")[2]);
        while (m.find()) {
            if (m.group(1).matches("[A-Z]+")) {
                actions.add(m.group(1));
            }
        }
        return actions;
    }

    /** The first cells of the kinds table (the table whose header is {@code | kind | on | meaning |}). */
    private static Set<String> documentedKinds() throws IOException {
        List<String> lines = doc();
        int header = lines.indexOf("| kind | on | meaning |");
        assertThat(header).as("docs/SECURITY.md has the kinds table").isNotNegative();
        Set<String> kinds = new TreeSet<>();
        for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            Matcher m = BACKTICKED.matcher(lines.get(i).split("\\|")[1]);
            assertThat(m.find()).as("kind cell of " + lines.get(i)).isTrue();
            kinds.add(m.group(1));
        }
        return kinds;
    }

    /** The kinds broker-tls passes for refused handshakes, read from its sources. */
    private static Set<String> tlsKinds() throws IOException {
        Set<String> kinds = new TreeSet<>();
        try (Stream<Path> files = Files.walk(ROOT.resolve("broker-tls/src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = TLS_KIND.matcher(Files.readString(file));
                while (m.find()) {
                    kinds.add(m.group(1));
                }
            }
        }
        return kinds;
    }

    private static Set<String> codeKinds() throws IOException {
        Set<String> kinds = new TreeSet<>(tlsKinds());
        Arrays.stream(AccessLog.Kind.values()).map(AccessLog.Kind::text).forEach(kinds::add);
        for (ConnectDecision.Outcome outcome : ConnectDecision.Outcome.values()) {
            String kind = AccessLog.kind(outcome);
            if (kind != null) {
                kinds.add(kind);
            }
        }
        return kinds;
    }

    @Test
    void everyActionTheAccessLogWrites_isDocumented_andNoOther() throws IOException {
        Set<String> code = new TreeSet<>();
        Arrays.stream(AccessLog.Action.values()).map(Enum::name).forEach(code::add);

        assertThat(documentedActions()).isEqualTo(code);
    }

    @Test
    void everyKindTheAccessLogWrites_isDocumented() throws IOException {
        assertThat(tlsKinds()).as("TLS failure kinds found in broker-tls").contains("revoked", "timeout");

        assertThat(documentedKinds()).containsAll(codeKinds());
    }

    @Test
    void theDocumentListsNoKindTheCodeCannotWrite() throws IOException {
        assertThat(codeKinds()).containsAll(documentedKinds());
    }

    @Test
    void theServerPassesDeclaredKinds_notStringLiterals() throws IOException {
        List<String> literals = new java.util.ArrayList<>();
        try (Stream<Path> files = Files.walk(ROOT.resolve("broker-server/src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = LITERAL_KIND.matcher(Files.readString(file));
                while (m.find()) {
                    literals.add(file.getFileName() + ": \"" + m.group(1) + "\"");
                }
            }
        }
        assertThat(literals).as("kinds spelled out instead of AccessLog.Kind (declare and document new ones)").isEmpty();
    }

    @Test
    void refusedConnects_useTheDeclaredKinds() {
        Set<String> declared = new TreeSet<>();
        Arrays.stream(AccessLog.Kind.values()).map(AccessLog.Kind::text).forEach(declared::add);
        for (ConnectDecision.Outcome outcome : ConnectDecision.Outcome.values()) {
            if (outcome != ConnectDecision.Outcome.ACCEPTED) {
                assertThat(declared).as(outcome.name()).contains(AccessLog.kind(outcome));
            }
        }
    }
}
