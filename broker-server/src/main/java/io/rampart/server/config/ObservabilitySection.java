package io.rampart.server.config;

import java.util.List;

/**
 * Maps the top-level {@code metrics:}, {@code event-log:}, {@code sys-topics:} and {@code tracing:} sections onto
 * {@link ObservabilityConfig}.
 */
final class ObservabilitySection {

    static final List<String> METRICS_KEYS = List.of("influx");
    static final List<String> INFLUX_KEYS = List.of("enabled", "uri", "org", "bucket", "token", "step");
    static final List<String> EVENT_LOG_KEYS = List.of("format");
    static final List<String> SYS_KEYS = List.of("enabled", "interval");

    private ObservabilitySection() {
    }

    static ObservabilityConfig read(ConfigNode root) throws ConfigException {
        ObservabilityConfig.Influx influx = ObservabilityConfig.Influx.DISABLED;
        ConfigNode metrics = root.get("metrics");
        if (!metrics.isAbsentOrNull()) {
            metrics.requireKeys(METRICS_KEYS);
            ConfigNode in = metrics.get("influx");
            if (!in.isAbsentOrNull()) {
                in.requireKeys(INFLUX_KEYS);
                try {
                    influx = new ObservabilityConfig.Influx(in.get("enabled").booleanValue(true),
                            in.get("uri").string(null), in.get("org").string(null), in.get("bucket").string(null),
                            in.get("token").string(null), in.get("step").intValue(60));
                } catch (IllegalArgumentException e) {
                    throw in.invalid(e);
                }
            }
        }
        String format = "plain";
        ConfigNode eventLog = root.get("event-log");
        if (!eventLog.isAbsentOrNull()) {
            eventLog.requireKeys(EVENT_LOG_KEYS);
            ConfigNode f = eventLog.get("format");
            format = f.string("plain");
            if (!format.equals("plain") && !format.equals("json")) {
                throw f.error("must be plain or json (was \"" + format + "\")");
            }
        }
        ObservabilityConfig.SysTopics sys = ObservabilityConfig.SysTopics.DISABLED;
        ConfigNode sysNode = root.get("sys-topics");
        if (!sysNode.isAbsentOrNull()) {
            sysNode.requireKeys(SYS_KEYS);
            try {
                sys = new ObservabilityConfig.SysTopics(sysNode.get("enabled").booleanValue(true),
                        sysNode.get("interval").intValue(10));
            } catch (IllegalArgumentException e) {
                throw sysNode.invalid(e);
            }
        }
        return new ObservabilityConfig(influx, format, sys, TracingSection.read(root.get("tracing")));
    }
}
