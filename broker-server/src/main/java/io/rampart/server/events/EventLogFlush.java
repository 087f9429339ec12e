package io.rampart.server.events;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractOutputStreamAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Writes out the event log's buffer once a second. The event log's file appender collects lines in memory
 * ({@code bufferedIO="true" immediateFlush="false"} in the shipped {@code log4j2.xml}), so a busy broker pays one
 * {@code write()} per 8 KB instead of one per line; this task bounds how long a line can wait there, so
 * {@code events.log} is never more than about a second behind. It flushes whatever file or stream appenders
 * the current Log4j2 configuration attaches to {@value BrokerEvents#LOGGER} (found again at every tick, so a
 * reloaded {@code log4j2.xml} is followed); an empty buffer costs no system call.
 */
public final class EventLogFlush implements AutoCloseable {

    /** The longest a line waits in the buffer. */
    public static final Duration INTERVAL = Duration.ofSeconds(1);

    private final ScheduledFuture<?> task;

    private EventLogFlush(ScheduledFuture<?> task) {
        this.task = task;
    }

    /** Flushes every {@link #INTERVAL} on {@code timers} until closed. */
    public static EventLogFlush start(ScheduledExecutorService timers) {
        long millis = INTERVAL.toMillis();
        return new EventLogFlush(timers.scheduleWithFixedDelay(EventLogFlush::flushNow, millis, millis,
                TimeUnit.MILLISECONDS));
    }

    /** Writes out what the event log's appenders hold. */
    public static void flushNow() {
        if (!(LogManager.getContext(false) instanceof LoggerContext context)) {
            return;
        }
        LoggerConfig logger = context.getConfiguration().getLoggerConfig(BrokerEvents.LOGGER);
        if (!BrokerEvents.LOGGER.equals(logger.getName())) {
            return;
        }
        for (Appender appender : logger.getAppenders().values()) {
            if (appender instanceof AbstractOutputStreamAppender<?> stream && stream.isStarted()) {
                stream.getManager().flush();
            }
        }
    }

    /** Stops the periodic flush and writes out what is left. */
    @Override
    public void close() {
        task.cancel(false);
        flushNow();
    }
}
