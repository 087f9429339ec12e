package io.rampart.server.admin;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Log levels at runtime: {@code GET /loggers/{name}} answers the effective level,
 * {@code PUT /loggers/{name}} with a body such as {@code DEBUG} sets it (the root logger is {@code root}).
 * A change lasts until the broker restarts or {@code log4j2.xml} is reloaded (monitorInterval).
 */
public final class LoggersEndpoint {

    private static final org.apache.logging.log4j.Logger LOG = LogManager.getLogger(LoggersEndpoint.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.$-]{1,200}");
    private static final String ROOT = "root";

    private LoggersEndpoint() {
    }

    public static AdminEndpoint get() {
        return request -> {
            String name = request.rest();
            if (!NAME.matcher(name).matches()) {
                return AdminResponse.error(400, "invalid logger name");
            }
            LoggerContext context = (LoggerContext) LogManager.getContext(false);
            String loggerName = ROOT.equals(name) ? LogManager.ROOT_LOGGER_NAME : name;
            LoggerConfig config = context.getConfiguration().getLoggerConfig(loggerName);
            Level effective = context.getLogger(loggerName).getLevel();
            return AdminResponse.json(200, "{\"logger\":" + Json.string(name) + ",\"level\":"
                    + Json.string(effective.name()) + ",\"configuredBy\":"
                    + Json.string(config.getName().isEmpty() ? ROOT : config.getName()) + "}");
        };
    }

    public static AdminEndpoint put() {
        return request -> {
            String name = request.rest();
            if (!NAME.matcher(name).matches()) {
                return AdminResponse.error(400, "invalid logger name");
            }
            String wanted = request.body().strip().toUpperCase(Locale.ROOT);
            Level level = Level.getLevel(wanted);
            if (level == null) {
                return AdminResponse.error(400, "unknown level '" + request.body().strip()
                        + "'; use OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE or ALL");
            }
            if (ROOT.equals(name)) {
                Configurator.setRootLevel(level);
            } else {
                Configurator.setLevel(name, level);
            }
            LOG.info("log level of '{}' set to {} through the admin listener", name, level);
            return AdminResponse.json(200, "{\"logger\":" + Json.string(name) + ",\"level\":"
                    + Json.string(level.name()) + "}");
        };
    }
}
