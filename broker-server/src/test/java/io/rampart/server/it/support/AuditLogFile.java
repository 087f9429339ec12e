package io.rampart.server.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.awaitility.Awaitility.await;

/** The audit log of the test JVM ({@code audit.log} in the test logs), read by request id. */
public final class AuditLogFile {

    public static final Path PATH = Path.of(System.getProperty("rampart.test.logdir", "target/test-logs"), "audit.log");

    private AuditLogFile() {
    }

    public static List<String> lines() {
        try {
            return Files.exists(PATH) ? Files.readAllLines(PATH) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The line of the call that answered with {@code X-Request-Id} {@code requestId}, once it is written. */
    public static String line(String requestId) {
        await().atMost(Await.TIMEOUT).until(() -> lines().stream().anyMatch(l -> l.contains(requestId)));
        return lines().stream().filter(l -> l.contains(requestId)).findFirst().orElseThrow();
    }
}
