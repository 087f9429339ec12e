package io.rampart.server.it.support;

import org.awaitility.Awaitility;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * The access log the test Log4j2 configuration writes ({@code ${rampart.test.logdir}/access.log}). All
 * end-to-end tests share one JVM and so one file: select lines by something unique to the test (a client
 * id or user name).
 */
public final class SecAccessLog {

    private SecAccessLog() {
    }

    public static Path file() {
        return Path.of(System.getProperty("rampart.test.logdir", "target/test-logs"), "access.log");
    }

    /** The whole file as text (empty when it does not exist yet). */
    public static String content() {
        try {
            return Files.exists(file()) ? Files.readString(file(), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<String> lines(Predicate<String> filter) {
        return content().lines().filter(filter).toList();
    }

    /** The lines containing {@code needle}. */
    public static List<String> lines(String needle) {
        return lines(l -> l.contains(needle));
    }

    /** Waits until at least {@code count} lines contain {@code needle} and returns them. */
    public static List<String> await(String needle, int count) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> lines(needle).size() >= count);
        return lines(needle);
    }

    /** A plain line with the timestamp replaced by {@code TIME} and the port number by {@code P}. */
    public static String normalized(String line) {
        return line.replaceFirst("^\\S+ ", "TIME ").replaceFirst(" port=\\d+ ", " port=P ");
    }
}
