package io.rampart.server.it.support;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Collects the application log messages ("LEVEL message") of one logger while open, at INFO and above unless told. */
public final class SecLogCapture implements AutoCloseable {

    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final List<String> threads = new CopyOnWriteArrayList<>();
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final String loggerName;
    private final AbstractAppender appender;

    public SecLogCapture(String loggerName) {
        this(loggerName, Level.INFO);
    }

    /** Captures from {@code level} up (e.g. {@link Level#DEBUG} to see what a component does quietly). */
    public SecLogCapture(String loggerName, Level level) {
        this.loggerName = loggerName;
        this.appender = new AbstractAppender("sec-capture-" + System.nanoTime(), null, null, true,
                Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                messages.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
                threads.add(event.getThreadName() + ": " + event.getMessage().getFormattedMessage());
            }
        };
        appender.start();
        Configuration config = context.getConfiguration();
        config.addAppender(appender);
        LoggerConfig logger = new LoggerConfig(loggerName, level, false);
        logger.addAppender(appender, level, null);
        config.addLogger(loggerName, logger);
        context.updateLoggers();
    }

    public List<String> messages() {
        return List.copyOf(messages);
    }

    /** The messages as "thread-name: message", to check which thread did something. */
    public List<String> messagesWithThreads() {
        return List.copyOf(threads);
    }

    @Override
    public void close() {
        Configuration config = context.getConfiguration();
        config.removeLogger(loggerName);
        appender.stop();
        context.updateLoggers();
    }
}
