package io.rampart.server.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A position in the parsed YAML tree that knows its key path, so every typed read can fail with
 * "source: key.path: reason". Scalars go through environment substitution before they are typed, so
 * {@code port: ${ENV:MQTT_PORT}} reads as an integer. Values that came from the environment are never echoed.
 */
final class ConfigNode {

    private static final int MAX_ECHO = 60;
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|MB|GB)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DECIMAL = Pattern.compile("\\d{1,16}(\\.\\d{1,9})?");
    private static final Pattern ECHOED_VALUE = Pattern.compile("\\s*\\(was .*\\)$");

    /**
     * Told about every mapping whose keys {@link #requireKeys} checked against a list: its key path, the keys
     * allowed there and the keys present. Lets a test compare what the loader accepts with a reference file.
     */
    interface KeyAudit {
        KeyAudit NONE = (path, allowed, present) -> { };

        void checked(String path, Collection<String> allowed, Collection<String> present);
    }

    private final String source;
    private final Function<String, String> env;
    private final KeyAudit audit;
    private final String path;
    private final JsonNode node;

    private ConfigNode(String source, Function<String, String> env, KeyAudit audit, String path, JsonNode node) {
        this.source = source;
        this.env = env;
        this.audit = audit;
        this.path = path;
        this.node = node;
    }

    static ConfigNode root(JsonNode node, String source, Function<String, String> env, KeyAudit audit) {
        return new ConfigNode(source, env, audit, "", node);
    }

    String path() {
        return path;
    }

    /** The key is not in the file. */
    boolean isAbsent() {
        return node == null || node.isMissingNode();
    }

    /** The key is not in the file or has no value ({@code key:} or {@code key: null}). */
    boolean isAbsentOrNull() {
        return isAbsent() || node.isNull();
    }

    ConfigNode get(String key) {
        JsonNode child = node == null ? null : node.get(key);
        String shown = key.isEmpty() ? "\"\"" : key;
        return new ConfigNode(source, env, audit, path.isEmpty() ? shown : path + "." + shown, child);
    }

    /** Requires a mapping whose keys are all in {@code allowed} ({@code null} = any key). */
    ConfigNode requireKeys(Collection<String> allowed) throws ConfigException {
        requirePresent();
        if (!node.isObject()) {
            throw error("must be a mapping of keys " + was());
        }
        if (allowed == null) {
            return this;
        }
        audit.checked(path, allowed, keys());
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String key = names.next();
            if (!allowed.contains(key)) {
                String suggestion = closest(key, allowed);
                throw get(key).error(suggestion != null
                        ? "unknown key (did you mean '" + suggestion + "'?)"
                        : "unknown key (allowed: " + String.join(", ", allowed) + ")");
            }
        }
        return this;
    }

    /** The keys of a mapping, in file order. */
    List<String> keys() {
        List<String> keys = new ArrayList<>();
        if (node != null && node.isObject()) {
            node.fieldNames().forEachRemaining(keys::add);
        }
        return keys;
    }

    List<ConfigNode> elements() throws ConfigException {
        requirePresent();
        if (!node.isArray()) {
            throw error("must be a list " + was());
        }
        List<ConfigNode> elements = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            elements.add(new ConfigNode(source, env, audit, path + "[" + i + "]", node.get(i)));
        }
        return elements;
    }

    /** A non-blank string; numbers are accepted as their text. */
    String string() throws ConfigException {
        String text = scalar("a string");
        if (node.isBoolean()) {
            // YAML 1.1 reads yes/no/on/off unquoted as booleans
            throw error("must be a string (was " + node.asText() + "; quote it if you meant text)");
        }
        if (text.isBlank()) {
            throw error("must not be empty");
        }
        return text;
    }

    /** Any scalar as text, blank allowed (separators and the like). */
    String text() throws ConfigException {
        return scalar("a string");
    }

    String string(String defaultValue) throws ConfigException {
        return isAbsent() ? defaultValue : string();
    }

    long longValue() throws ConfigException {
        String text = scalar("an integer");
        if (node.isIntegralNumber()) {
            if (!node.canConvertToLong()) {
                throw error("is too large " + was());
            }
            return node.longValue();
        }
        if (node.isTextual()) {
            try {
                return Long.parseLong(text.strip());
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw error("must be an integer " + was());
    }

    /** A decimal number such as {@code 10} or {@code 0.5}. */
    double decimalValue() throws ConfigException {
        String text = scalar("a number");
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isTextual() && DECIMAL.matcher(text.strip()).matches()) {
            return Double.parseDouble(text.strip());
        }
        throw error("must be a number such as 10 or 0.5 " + was());
    }

    int intValue() throws ConfigException {
        long value = longValue();
        if (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
            throw error("is out of range " + was());
        }
        return (int) value;
    }

    int intValue(int defaultValue) throws ConfigException {
        return isAbsent() ? defaultValue : intValue();
    }

    long longValue(long defaultValue) throws ConfigException {
        return isAbsent() ? defaultValue : longValue();
    }

    boolean booleanValue() throws ConfigException {
        String text = scalar("true or false");
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isTextual() && ("true".equals(text) || "false".equals(text))) {
            return Boolean.parseBoolean(text);
        }
        throw error("must be true or false " + was());
    }

    boolean booleanValue(boolean defaultValue) throws ConfigException {
        return isAbsent() ? defaultValue : booleanValue();
    }

    /** Bytes, as a plain integer or with a 1024-based unit: {@code 512B}, {@code 256KB}, {@code 1MB}, {@code 2GB}. */
    int sizeValue() throws ConfigException {
        long bytes = longSizeValue();
        if (bytes > Integer.MAX_VALUE || bytes < Integer.MIN_VALUE) {
            throw error("is out of range " + was());
        }
        return (int) bytes;
    }

    /** {@link #sizeValue()} without the 2 GB bound. */
    long longSizeValue() throws ConfigException {
        if (node != null && node.isIntegralNumber()) {
            return longValue();
        }
        Matcher m = SIZE.matcher(scalar("a size").strip());
        if (!node.isTextual() || !m.matches() || m.group(1).length() > 12) {
            throw error("must be a size in bytes, e.g. 1048576, 256KB or 1MB " + was());
        }
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        int shift = switch (unit) {
            case "KB" -> 10;
            case "MB" -> 20;
            case "GB" -> 30;
            default -> 0;
        };
        return Long.parseLong(m.group(1)) << shift;
    }

    long longSizeValue(long defaultValue) throws ConfigException {
        return isAbsent() ? defaultValue : longSizeValue();
    }

    /** Whether the value is a percentage ({@code 25%}). */
    boolean isPercent() throws ConfigException {
        return !isAbsentOrNull() && node.isTextual() && scalar("a percentage").strip().endsWith("%");
    }

    /** A whole percentage from 1 to 100, written {@code 60%} (or a bare {@code 60}). */
    int percentValue() throws ConfigException {
        String text = scalar("a percentage").strip();
        if (text.endsWith("%")) {
            text = text.substring(0, text.length() - 1).strip();
        }
        try {
            int value = Integer.parseInt(text);
            if (value >= 1 && value <= 100) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw error("must be a percentage from 1% to 100% " + was());
    }

    int percentValue(int defaultValue) throws ConfigException {
        return isAbsent() ? defaultValue : percentValue();
    }

    int sizeValue(int defaultValue) throws ConfigException {
        return isAbsent() ? defaultValue : sizeValue();
    }

    /** One of the enum's constants written in lower case with dashes ({@code DROP_OLDEST} is {@code drop-oldest}). */
    <E extends Enum<E>> E enumValue(Class<E> type) throws ConfigException {
        String text = scalar("one of " + allowed(type));
        for (E constant : type.getEnumConstants()) {
            if (configName(constant).equals(text)) {
                return constant;
            }
        }
        throw error("must be one of " + allowed(type) + " " + was());
    }

    <E extends Enum<E>> E enumValue(Class<E> type, E defaultValue) throws ConfigException {
        return isAbsent() ? defaultValue : enumValue(type);
    }

    ConfigException error(String reason) {
        return new ConfigException(source, path, reason);
    }

    /**
     * Maps a record's "key: reason" validation failure onto this mapping's key path. A leading key that is
     * already a full path (contains '.' or '[') is used as is, relative to this node.
     */
    ConfigException invalid(IllegalArgumentException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        int colon = message.indexOf(": ");
        if (colon < 0) {
            return error(message);
        }
        String key = message.substring(0, colon);
        String reason = message.substring(colon + 2);
        ConfigNode child = resolve(key);
        if (child.fromEnvironment()) {
            reason = ECHOED_VALUE.matcher(reason).replaceFirst("") + " " + child.was();
        }
        return child.error(reason);
    }

    private ConfigNode resolve(String relativePath) {
        ConfigNode current = this;
        Matcher m = Pattern.compile("([^.\\[]+)|\\[(\\d+)]").matcher(relativePath);
        while (m.find()) {
            if (m.group(1) != null) {
                current = current.get(m.group(1));
            } else {
                int index = Integer.parseInt(m.group(2));
                JsonNode child = current.node == null ? null : current.node.get(index);
                current = new ConfigNode(source, env, audit, current.path + "[" + index + "]", child);
            }
        }
        return current;
    }

    private void requirePresent() throws ConfigException {
        if (isAbsent()) {
            throw error("is required");
        }
    }

    /** The scalar's text after environment substitution. */
    private String scalar(String expected) throws ConfigException {
        requirePresent();
        if (node.isNull()) {
            throw error("has no value (expected " + expected + ")");
        }
        if (node.isContainerNode()) {
            throw error("must be " + expected + " " + was());
        }
        if (!node.isTextual()) {
            return node.asText();
        }
        try {
            return EnvSubstitution.substitute(node.textValue(), env);
        } catch (EnvSubstitution.Failure e) {
            throw error(e.getMessage());
        }
    }

    private boolean fromEnvironment() {
        return node != null && node.isTextual() && EnvSubstitution.hasReference(node.textValue());
    }

    /** "(was ...)" describing the value without ever showing one that came from the environment. */
    private String was() {
        if (node == null || node.isMissingNode()) {
            return "(was missing)";
        }
        if (fromEnvironment()) {
            List<String> names = EnvSubstitution.variables(node.textValue());
            return "(value from environment variable " + String.join(", ", names) + ", not shown)";
        }
        if (node.isObject()) {
            return "(was a mapping)";
        }
        if (node.isArray()) {
            return "(was a list)";
        }
        if (node.isNull()) {
            return "(was empty)";
        }
        if (node.isTextual()) {
            String text = node.textValue();
            return "(was \"" + (text.length() > MAX_ECHO ? text.substring(0, MAX_ECHO) + "..." : text) + "\")";
        }
        return "(was " + node.asText() + ")";
    }

    static String configName(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static <E extends Enum<E>> String allowed(Class<E> type) {
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            names.add(configName(constant));
        }
        return String.join(", ", names);
    }

    private static String closest(String key, Collection<String> allowed) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : allowed) {
            int distance = distance(key.toLowerCase(Locale.ROOT).replace('_', '-'), candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
