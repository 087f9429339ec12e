package io.rampart.server.it.support;

import io.rampart.server.events.BrokerEvents;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.xml.XmlConfiguration;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.awaitility.Awaitility;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * While open, the event log ({@code rampart.events}) is also written to a file of its own with the layout of
 * the shipped configuration ({@code %m%n}: each line carries its own timestamp), at INFO. All end-to-end
 * tests share one JVM: select lines by something unique to the test (a client id).
 */
public final class EventLogFile implements AutoCloseable {

    private final Path file;
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final Appender appender;
    private final LoggerContext shippedContext;
    private final Level previousLevel;
    private final boolean previousAdditive;

    /** Each line written to {@code file} at once. */
    public EventLogFile(Path file) {
        this(file, FileAppender.newBuilder()
                .setName("events-file-" + System.nanoTime())
                .withFileName(file.toString())
                .withImmediateFlush(true)
                .setLayout(PatternLayout.newBuilder().withPattern("%m%n").build())
                .build(), null);
    }

    /**
     * Lines go through the {@code events} appender of the shipped {@code config/log4j2.xml}, buffered exactly as
     * shipped, into {@code dir/events.log}.
     */
    public static EventLogFile shipped(Path dir) {
        Path xml = Path.of(System.getProperty("rampart.project.root", "..")).resolve("config/log4j2.xml");
        String previous = System.getProperty("rampart.log.dir");
        System.setProperty("rampart.log.dir", dir.toString());
        LoggerContext shipped = new LoggerContext("shipped-events-" + System.nanoTime(), null, xml.toUri());
        try {
            shipped.start(new XmlConfiguration(shipped, ConfigurationSource.fromUri(xml.toUri())));
        } finally {
            if (previous == null) {
                System.clearProperty("rampart.log.dir");
            } else {
                System.setProperty("rampart.log.dir", previous);
            }
        }
        return new EventLogFile(dir.resolve("events.log"), shipped.getConfiguration().getAppender("events"), shipped);
    }

    private EventLogFile(Path file, Appender appender, LoggerContext shippedContext) {
        this.file = file;
        this.appender = appender;
        this.shippedContext = shippedContext;
        if (!appender.isStarted()) {
            appender.start();
        }
        Configuration config = context.getConfiguration();
        config.addAppender(appender);
        LoggerConfig logger = config.getLoggerConfig(BrokerEvents.LOGGER);
        previousLevel = logger.getLevel();
        previousAdditive = logger.isAdditive();
        logger.setLevel(Level.INFO);
        logger.setAdditive(false);
        logger.addAppender(appender, Level.INFO, null);
        context.updateLoggers();
    }

    public Path file() {
        return file;
    }

    public List<String> lines(String needle) {
        try {
            if (!Files.exists(file)) {
                return List.of();
            }
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(l -> l.contains(needle)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until a line contains every one of {@code needles} and returns the first such line. */
    public String await(String... needles) {
        String[] found = new String[1];
        Awaitility.await("event line with " + String.join(" ", needles)).atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50)).until(() -> {
                    for (String line : lines(needles[0])) {
                        boolean all = true;
                        for (String n : needles) {
                            all &= line.contains(n);
                        }
                        if (all) {
                            found[0] = line;
                            return true;
                        }
                    }
                    return false;
                });
        return found[0];
    }

    @Override
    public void close() {
        Configuration config = context.getConfiguration();
        LoggerConfig logger = config.getLoggerConfig(BrokerEvents.LOGGER);
        logger.removeAppender(appender.getName());
        logger.setLevel(previousLevel);
        logger.setAdditive(previousAdditive);
        context.updateLoggers();
        if (shippedContext != null) {
            shippedContext.stop();
        } else {
            appender.stop();
        }
    }
}
