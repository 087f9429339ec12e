package io.rampart.server.it;

import io.rampart.server.it.support.BrokerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code scripts/rampart}: the first broker it starts writes a class-data sharing archive as it exits, the next one
 * starts from it ({@code -Xshare:on} makes a start that cannot map the archive fail), and a command such as
 * {@code --version} writes none.
 */
class CdsLauncherIT {

    private static final Path LAUNCHER = Path.of("..", "scripts", "rampart").toAbsolutePath().normalize();
    private static final Duration ARCHIVE_WRITTEN = Duration.ofMinutes(4);

    @TempDir
    Path dir;

    private String yaml() {
        return """
                data-dir: %s
                listeners:
                  - {type: tcp, name: tcp, bind: 127.0.0.1, port: %d, allow-anonymous: true}
                """.formatted(dir.resolve("data"), BrokerProcess.freePort());
    }

    private Map<String, String> environment(Path archive, String javaOptions) {
        return Map.of("RAMPART_JAR", BrokerProcess.jar().toString(), "RAMPART_CDS_ARCHIVE", archive.toString(),
                "JAVA", BrokerProcess.java().toString(), "RAMPART_JAVA_OPTS", javaOptions);
    }

    @Test
    void firstBrokerWritesTheArchiveAsItExits_andTheNextStartsFromIt() throws Exception {
        Path archive = dir.resolve("rampart.jsa");
        BrokerProcess first = BrokerProcess.launch(dir, List.of(LAUNCHER.toString()),
                environment(archive, "-Xmx256m"), yaml());
        assertThat(archive).as("written at exit, not before").doesNotExist();
        first.stop(ARCHIVE_WRITTEN);
        assertThat(archive).isNotEmptyFile();

        BrokerProcess second = BrokerProcess.launch(dir, List.of(LAUNCHER.toString()),
                environment(archive, "-Xmx256m -Xshare:on"), yaml());
        try {
            assertThat(second.output()).doesNotContain("Unable to use shared archive");
        } finally {
            second.close();
        }
    }

    @Test
    void aCommandWritesNoArchive() throws Exception {
        Path archive = dir.resolve("rampart.jsa");
        ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), "--version").redirectErrorStream(true);
        builder.environment().putAll(environment(archive, "-Xmx128m"));
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).startsWith("Rampart ");
        assertThat(Files.exists(archive)).isFalse();
    }
}
