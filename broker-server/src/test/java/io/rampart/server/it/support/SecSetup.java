package io.rampart.server.it.support;

import io.rampart.security.hash.PasswordHasher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Brokers with a {@code security:} section and the users files they read, for the security end-to-end
 * tests. Listeners {@code tcp} and {@code ws} (path {@code /mqtt}) never allow anonymous clients; extra
 * listeners can be added.
 */
public final class SecSetup {

    private static final PasswordHasher HASHER = new PasswordHasher();
    private static final Map<String, String> HASHES = new ConcurrentHashMap<>();

    private SecSetup() {
    }

    /** The hash of a password (computed once per password and JVM: hashing is deliberately slow). */
    public static String hash(String password) {
        return HASHES.computeIfAbsent(password, p -> HASHER.hash(p.toCharArray()));
    }

    /** Replaces the users file in one step (write beside it, then rename), as editors and tools do. */
    public static void writeUsers(Path file, String yaml) {
        try {
            Path tmp = Files.createTempFile(file.getParent(), ".users-", ".tmp");
            Files.writeString(tmp, yaml, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** A broker with listeners {@code tcp} and {@code ws} and the given {@code security:} section (unindented). */
    public static TestBroker start(String security) {
        return start("", security);
    }

    /**
     * @param extraListeners further listener entries, one flow mapping per line (unindented), e.g.
     *                       {@code - {type: tcp, name: bare, bind: 127.0.0.1, port: 0}}
     */
    public static TestBroker start(String extraListeners, String security) {
        return start(extraListeners, security, "");
    }

    /** As {@link #start(String, String)}, with an {@code mqtt:} section (unindented; empty for none). */
    public static TestBroker start(String extraListeners, String security, String mqtt) {
        StringBuilder yaml = new StringBuilder("""
                data-dir: target/test-data
                listeners:
                  - {type: tcp, name: tcp, bind: 127.0.0.1, port: 0}
                  - {type: websocket, name: ws, bind: 127.0.0.1, port: 0, path: /mqtt}
                """);
        indent(yaml, extraListeners);
        if (!mqtt.isBlank()) {
            yaml.append("mqtt:\n");
            indent(yaml, mqtt);
        }
        yaml.append("security:\n");
        indent(yaml, security);
        return TestBroker.startYaml(yaml.toString());
    }

    private static void indent(StringBuilder yaml, String block) {
        if (block.isBlank()) {
            return;
        }
        for (String line : block.stripTrailing().split("\n")) {
            yaml.append("  ").append(line).append('\n');
        }
    }
}
