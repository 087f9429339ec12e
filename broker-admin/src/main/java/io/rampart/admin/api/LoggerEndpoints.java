package io.rampart.admin.api;

import io.rampart.admin.http.HttpAnswer;
import io.rampart.admin.rbac.AdminPermission;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Log levels at runtime: {@code GET /loggers/{name}} (the effective level and which configured logger sets it),
 * {@code PUT /loggers/{name}} with {@code {"level":"DEBUG"}}; the root logger is {@code root}. A change lasts until
 * the broker restarts or {@code log4j2.xml} is reloaded.
 */
final class LoggerEndpoints {

    private static final Logger LOG = LogManager.getLogger(LoggerEndpoints.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.$-]{1,200}");
    private static final String ROOT = "root";

    List<Route> routes() {
        return List.of(
                Route.sync("GET", "/api/v1/loggers/{name}", "loggers.get", AdminPermission.CONFIG_READ, false, this::get),
                Route.sync("PUT", "/api/v1/loggers/{name}", "loggers.set", AdminPermission.LOGGERS_WRITE, false,
                        this::put));
    }

    private HttpAnswer get(ApiRequest r) {
        r.allowQuery();
        String name = name(r);
        return ApiJson.answer(200, view(name));
    }

    private HttpAnswer put(ApiRequest r) {
        r.allowQuery();
        String name = name(r);
        JsonBody body = r.json().allow(List.of("level"));
        String wanted = body.requiredString("level");
        Level level = Level.getLevel(wanted.strip().toUpperCase(Locale.ROOT));
        if (level == null) {
            throw new ApiException(400, "unknown level '" + wanted + "'; use OFF, FATAL, ERROR, WARN, INFO, DEBUG,"
                    + " TRACE or ALL", List.of("level"), null);
        }
        r.audit().target("logger:" + name);
        String before = (String) view(name).get("level");
        if (ROOT.equals(name)) {
            Configurator.setRootLevel(level);
        } else {
            Configurator.setLevel(name, level);
        }
        LOG.info("log level of '{}' set to {} through the admin API by '{}'", name, level, r.principal().name());
        r.audit().change(ApiJson.text(Map.of("level", before)), ApiJson.text(Map.of("level", level.name())));
        return ApiJson.answer(200, view(name));
    }

    private static String name(ApiRequest r) {
        String name = PathCodec.decode(r.rawPathParam("name"));
        if (!NAME.matcher(name).matches()) {
            throw new ApiException(400, "invalid logger name: 1 to 200 letters, digits, '.', '_', '$' or '-'");
        }
        return name;
    }

    private static Map<String, Object> view(String name) {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        String loggerName = ROOT.equals(name) ? LogManager.ROOT_LOGGER_NAME : name;
        LoggerConfig config = context.getConfiguration().getLoggerConfig(loggerName);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("logger", name);
        out.put("level", context.getLogger(loggerName).getLevel().name());
        out.put("configuredBy", config.getName().isEmpty() ? ROOT : config.getName());
        return out;
    }
}
