package io.rampart.server.config;

import io.rampart.admin.config.Durations;
import io.rampart.server.tracing.TracingSettings;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Maps the top-level {@code tracing:} section onto {@link TracingSettings}. */
final class TracingSection {

    static final List<String> KEYS = List.of("enabled", "protocol", "endpoint", "headers", "timeout", "compression",
            "sampler", "resource", "max-queue-size", "delivery-spans");
    static final List<String> SAMPLER_KEYS = List.of("type", "ratio");
    static final String SAMPLER_TYPE = "parent-based-ratio";

    private TracingSection() {
    }

    static TracingSettings read(ConfigNode node) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return TracingSettings.DISABLED;
        }
        node.requireKeys(KEYS);
        ConfigNode protocolNode = node.get("protocol");
        TracingSettings.Protocol protocol = TracingSettings.Protocol.HTTP_PROTOBUF;
        if (!protocolNode.isAbsent()) {
            String name = protocolNode.string();
            protocol = TracingSettings.Protocol.named(name);
            if (protocol == null) {
                throw protocolNode.error("must be http/protobuf or grpc (was \"" + name + "\")");
            }
        }
        double ratio = TracingSettings.DEFAULT_SAMPLE_RATIO;
        ConfigNode sampler = node.get("sampler");
        if (!sampler.isAbsentOrNull()) {
            sampler.requireKeys(SAMPLER_KEYS);
            ConfigNode type = sampler.get("type");
            if (!type.isAbsent() && !SAMPLER_TYPE.equals(type.string())) {
                throw type.error("must be " + SAMPLER_TYPE + " (the only sampler)");
            }
            ConfigNode ratioNode = sampler.get("ratio");
            if (!ratioNode.isAbsent()) {
                String text = ratioNode.string();
                try {
                    ratio = Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw ratioNode.error("must be a number between 0 and 1, e.g. 0.01 for 1 %");
                }
            }
        }
        try {
            return new TracingSettings(node.get("enabled").booleanValue(true), protocol,
                    node.get("endpoint").string(null), strings(node.get("headers")), timeout(node.get("timeout")),
                    compression(node.get("compression")), ratio, strings(node.get("resource")),
                    node.get("max-queue-size").intValue(TracingSettings.DEFAULT_MAX_QUEUE_SIZE),
                    node.get("delivery-spans").intValue(TracingSettings.DEFAULT_DELIVERY_SPANS));
        } catch (IllegalArgumentException e) {
            throw node.invalid(e);
        }
    }

    /** A mapping of names to text values (headers, resource attributes), in file order. */
    private static Map<String, String> strings(ConfigNode node) throws ConfigException {
        Map<String, String> values = new LinkedHashMap<>();
        if (node.isAbsentOrNull()) {
            return values;
        }
        node.requireKeys(null);
        for (String key : node.keys()) {
            values.put(key, node.get(key).string());
        }
        return values;
    }

    private static Duration timeout(ConfigNode node) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return TracingSettings.DEFAULT_TIMEOUT;
        }
        try {
            return Durations.parse(node.text());
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
    }

    private static boolean compression(ConfigNode node) throws ConfigException {
        String value = node.string("none");
        return switch (value) {
            case "none" -> false;
            case "gzip" -> true;
            default -> throw node.error("must be none or gzip (was \"" + value + "\")");
        };
    }
}
