package io.rampart.server.pipeline;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Property;

import java.nio.channels.ClosedChannelException;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the listener fuzz tests count as a bug, collected while one input runs and reported at its end: an
 * exception of a kind the broker does not expect (a null pointer, an index out of bounds, a class cast, an
 * error), a warning or error that Netty logs (an exception thrown by a future listener or a task, a leak found
 * by the paranoid leak detector), or an error logged by the broker. A refused packet, a corrupt WebSocket frame or
 * a failed handshake is the broker's ordinary answer to hostile input and is not a finding.
 */
final class Findings {

    private static final List<String> LOGGED = new ArrayList<>();

    static {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        AbstractAppender appender = new AbstractAppender("fuzz-findings", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                boolean netty = event.getLoggerName().startsWith("io.netty");
                if (netty || event.getLevel().isMoreSpecificThan(Level.ERROR)) {
                    String line = event.getLevel() + " " + event.getLoggerName() + ": "
                            + event.getMessage().getFormattedMessage()
                            + (event.getThrown() == null ? "" : " (" + event.getThrown() + ")");
                    synchronized (LOGGED) {
                        LOGGED.add(line);
                    }
                }
            }
        };
        appender.start();
        Configuration config = context.getConfiguration();
        config.addAppender(appender);
        config.getRootLogger().addAppender(appender, Level.WARN, null);
        context.updateLoggers();
    }

    private final List<String> problems = new ArrayList<>();
    private Throwable firstCause;

    Findings() {
        synchronized (LOGGED) {
            LOGGED.clear();
        }
    }

    /** An exception that reached the connection handler or escaped it: a finding unless it is hostile-input handling. */
    void exception(String where, Throwable cause) {
        if (!expected(cause)) {
            add(where + ": " + cause, cause);
        }
    }

    /** The cause of a packet the MQTT decoder refused; the decoder reports malformed input as these types. */
    void decoderFailure(Throwable cause) {
        if (!expected(cause) && !(cause instanceof IllegalArgumentException && cause.getCause() == null)) {
            add("MQTT decoder failed with " + cause, cause);
        }
    }

    void add(String problem, Throwable cause) {
        problems.add(problem);
        if (firstCause == null) {
            firstCause = cause;
        }
    }

    /** Throws when anything was found since this object was made (or since the last call). */
    void check() {
        synchronized (LOGGED) {
            problems.addAll(LOGGED);
            LOGGED.clear();
        }
        if (!problems.isEmpty()) {
            AssertionError error = new AssertionError(String.join("\n", problems), firstCause);
            problems.clear();
            firstCause = null;
            throw error;
        }
    }

    /**
     * Exceptions that stand for malformed input, as the codecs report it: decoder failures (MQTT, HTTP,
     * WebSocket frames, malformed UTF-8), refused handshakes and a client that closes in the middle of an HTTP
     * request, with nothing unexpected among their causes.
     */
    static boolean expected(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            boolean known = c instanceof DecoderException || c instanceof WebSocketHandshakeException
                    || c instanceof ClosedChannelException || c instanceof CharacterCodingException
                    || c instanceof PrematureChannelClosureException;
            if (!known) {
                return false;
            }
        }
        return true;
    }
}
