package io.rampart.server.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.rampart.admin.config.AdminSettings;
import io.rampart.cluster.ClusterSettings;
import io.rampart.core.MqttLimits;
import io.rampart.core.memory.BudgetSettings;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * Reads the broker's YAML configuration into a validated {@link BrokerConfig}. Every problem, from a YAML
 * syntax error to an impossible limit, becomes a {@link ConfigException} naming the file, the key path and the
 * reason; nothing is defaulted silently except keys that are absent.
 */
public final class ConfigLoader {

    static final List<String> KEYS = List.of("data-dir", "listeners", "mqtt", "security", "metrics", "event-log",
            "sys-topics", "tracing", "admin", "memory", "trace-recordings", "insights", "detections", "cluster");
    static final String DEFAULT_DATA_DIR = "data";
    /** Far above any real configuration; stops a wrong path (a log file, a disk image) from being slurped. */
    static final long MAX_FILE_SIZE = 1024 * 1024;

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private ConfigLoader() {
    }

    /** Reads {@code file} (UTF-8) and substitutes {@code ${ENV:...}} from the process environment. */
    public static BrokerConfig load(Path file) throws ConfigException {
        String source = file.toString();
        String yaml;
        try {
            if (Files.isDirectory(file)) {
                throw new ConfigException(source, "", "is a directory, not a configuration file");
            }
            if (Files.size(file) > MAX_FILE_SIZE) {
                throw new ConfigException(source, "", "is larger than " + MAX_FILE_SIZE + " bytes;"
                        + " is this the right file?");
            }
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(source, "", "file not found");
        } catch (AccessDeniedException e) {
            throw new ConfigException(source, "", "permission denied");
        } catch (CharacterCodingException e) {
            throw new ConfigException(source, "", "is not valid UTF-8");
        } catch (IOException e) {
            throw new ConfigException(source, "", "cannot be read (" + e.getMessage() + ")");
        }
        return parse(yaml, source, System::getenv);
    }

    /** Parses YAML text, substituting {@code ${ENV:...}} from the process environment. */
    public static BrokerConfig parse(String yaml, String sourceName) throws ConfigException {
        return parse(yaml, sourceName, System::getenv);
    }

    /**
     * Parses YAML text.
     *
     * @param sourceName named in messages, usually the file name
     * @param env        looks up environment variables for {@code ${ENV:NAME}}; returns null when unset
     */
    public static BrokerConfig parse(String yaml, String sourceName, Function<String, String> env)
            throws ConfigException {
        return parse(yaml, sourceName, env, ConfigNode.KeyAudit.NONE);
    }

    /** Parses YAML text and reports every mapping whose keys were checked to {@code audit}. */
    static BrokerConfig parse(String yaml, String sourceName, Function<String, String> env, ConfigNode.KeyAudit audit)
            throws ConfigException {
        JsonNode tree = readTree(yaml, sourceName);
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            throw new ConfigException(sourceName, "", "is empty; it must at least define 'listeners'"
                    + " (see config/broker.yaml)");
        }
        if (!tree.isObject()) {
            throw new ConfigException(sourceName, "", "must be a mapping of keys such as 'listeners' and 'mqtt'"
                    + " (was " + (tree.isArray() ? "a list" : "a single value") + ")");
        }
        ConfigNode root = ConfigNode.root(tree, sourceName, env, audit).requireKeys(KEYS);
        Path dataDir = dataDir(root.get("data-dir"));
        List<ListenerConfig> listeners = listeners(root.get("listeners"));
        MqttLimits mqtt = MqttSection.read(root.get("mqtt"));
        BudgetSettings memory = MemorySection.read(root.get("memory"), Runtime.getRuntime().maxMemory());
        SecurityConfig security = SecuritySection.read(root.get("security"), listeners, dataDir);
        AdminSettings admin = AdminSection.read(root.get("admin"), security);
        InsightsConfig insights = InsightsSection.read(root);
        ClusterSettings cluster = ClusterSection.read(root.get("cluster"), dataDir);
        try {
            return new BrokerConfig(listeners, mqtt, dataDir, sourceName, security, ObservabilitySection.read(root),
                    admin, memory, insights, cluster);
        } catch (IllegalArgumentException e) {
            throw root.invalid(e);
        }
    }

    private static Path dataDir(ConfigNode node) throws ConfigException {
        String dir = node.string(DEFAULT_DATA_DIR);
        try {
            return Path.of(dir).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw node.error("is not a valid path (" + e.getReason() + ")");
        }
    }

    private static List<ListenerConfig> listeners(ConfigNode node) throws ConfigException {
        if (node.isAbsentOrNull()) {
            throw node.error("is required: define at least one listener (see config/broker.yaml)");
        }
        List<ListenerConfig> listeners = new ArrayList<>();
        for (ConfigNode listener : node.elements()) {
            listeners.add(ListenerSection.read(listener));
        }
        return listeners;
    }

    private static JsonNode readTree(String yaml, String source) throws ConfigException {
        checkStructure(yaml, source);
        try (JsonParser parser = YAML.createParser(yaml)) {
            return YAML.readTree(parser);
        } catch (IOException e) {
            // checkStructure has already seen every token
            throw new ConfigException(source, "", "cannot be parsed as YAML");
        }
    }

    /**
     * One pass over the tokens to report what the tree would hide: syntax errors and duplicate keys with their
     * position, aliases (the tree would hold the alias name instead of the value) and extra documents.
     */
    private static void checkStructure(String yaml, String source) throws ConfigException {
        JsonParser parser = null;
        try {
            parser = YAML.createParser(yaml);
            int depth = 0;
            boolean documentSeen = false;
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (depth == 0) {
                    if (documentSeen) {
                        throw new ConfigException(source, "", "contains more than one YAML document ('---');"
                                + " put everything in one");
                    }
                    documentSeen = true;
                }
                if (parser instanceof YAMLParser yamlParser && yamlParser.isCurrentAlias()) {
                    throw new ConfigException(source, "", "YAML aliases (*name) are not supported"
                            + at(parser.currentTokenLocation()) + "; write the value out");
                }
                if (token.isStructStart()) {
                    depth++;
                } else if (token.isStructEnd()) {
                    depth--;
                }
            }
        } catch (JsonProcessingException e) {
            throw yamlError(source, parser, e);
        } catch (IOException e) {
            throw new ConfigException(source, "", "cannot be parsed as YAML");
        } finally {
            closeQuietly(parser);
        }
    }

    private static ConfigException yamlError(String source, JsonParser parser, JsonProcessingException e) {
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (original.startsWith("Duplicate field") && parser != null) {
            return new ConfigException(source, pathOf(parser.getParsingContext()),
                    "duplicate key" + at(parser.currentTokenLocation()));
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof MarkedYAMLException marked) {
                Mark mark = marked.getProblemMark() != null ? marked.getProblemMark() : marked.getContextMark();
                String where = mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
                String problem = marked.getProblem() != null ? marked.getProblem() : marked.getContext();
                return new ConfigException(source, "", "YAML syntax error" + where + ": " + problem);
            }
            if (cause instanceof YAMLException plain && plain.getMessage() != null) {
                return new ConfigException(source, "", "cannot be parsed as YAML" + at(e.getLocation()) + ": "
                        + plain.getMessage());
            }
        }
        return new ConfigException(source, "", "cannot be parsed as YAML" + at(e.getLocation()));
    }

    private static String at(JsonLocation location) {
        return location == null || location.getLineNr() < 1 ? ""
                : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /** "listeners[0].port" for the parser's current position. */
    private static String pathOf(JsonStreamContext context) {
        Deque<String> parts = new ArrayDeque<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                parts.push("[" + c.getCurrentIndex() + "]");
            } else if (c.getCurrentName() != null) {
                parts.push((c.getParent() != null && c.getParent().inRoot() ? "" : ".") + c.getCurrentName());
            }
        }
        return String.join("", parts);
    }

    private static void closeQuietly(JsonParser parser) {
        if (parser != null) {
            try {
                parser.close();
            } catch (IOException ignored) {
                // reading from a String: nothing to release
            }
        }
    }
}
