package io.rampart.security.realm.file;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.rampart.security.realm.file.LocatedYaml.Entry;
import io.rampart.security.realm.file.LocatedYaml.ListNode;
import io.rampart.security.realm.file.LocatedYaml.MapNode;
import io.rampart.security.realm.file.LocatedYaml.Node;
import io.rampart.security.realm.file.LocatedYaml.Scalar;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The text of a realm file, changed one user or role entry at a time so that everything else stays as written:
 * comments, blank lines, the order of entries and the style of each list. An entry that changes is written again
 * from its values in the style it had (a one-line flow mapping stays one, a block mapping stays a block), keys it
 * does not know included; only comments inside that entry are lost. A new entry is added after the last one of its
 * list, in that list's style.
 *
 * <p>Files whose {@code users} or {@code roles} list is not a block list ({@code users: []}, {@code users: null})
 * are written again as a whole YAML tree instead, keeping the comment block at the top.
 */
final class RealmFileDocument {

    private static final YAMLMapper MAPPER = new YAMLMapper();
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
    private static final java.util.Set<String> RESERVED = java.util.Set.of("true", "false", "yes", "no", "on", "off",
            "y", "n", "null", "~");

    private String text;

    RealmFileDocument(String text) {
        this.text = text.isEmpty() || text.endsWith("\n") ? text : text + "\n";
    }

    String text() {
        return text;
    }

    byte[] bytes() {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A copy of the entry of {@code section} ({@code users}/{@code roles}) whose {@code key} is {@code name}. */
    ObjectNode entry(String section, String key, String name) throws IOException {
        JsonNode list = tree().get(section);
        if (list == null || !list.isArray()) {
            return null;
        }
        for (JsonNode item : list) {
            if (item.isObject() && name.equals(item.path(key).asText(null))) {
                return ((ObjectNode) item).deepCopy();
            }
        }
        return null;
    }

    /** Every entry of {@code section}, as copies. */
    List<ObjectNode> entries(String section) throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        JsonNode list = tree().get(section);
        if (list != null && list.isArray()) {
            for (JsonNode item : list) {
                if (item.isObject()) {
                    out.add(((ObjectNode) item).deepCopy());
                }
            }
        }
        return out;
    }

    /** Replaces the entry named {@code name} with {@code entry}, or adds {@code entry} at the end of the list. */
    void put(String section, String key, String name, ObjectNode entry) throws IOException {
        Layout layout = layout(section);
        if (layout == null) {
            rewrite(section, key, name, entry);
            return;
        }
        int index = layout.indexOf(key, name);
        if (index >= 0) {
            Item item = layout.items.get(index);
            splice(item.start, item.end, render(entry, item.dashColumn, item.flow));
        } else if (!layout.items.isEmpty()) {
            Item last = layout.items.get(layout.items.size() - 1);
            splice(last.end, last.end, render(entry, last.dashColumn, last.flow));
        } else {
            splice(layout.insertAt, layout.insertAt, layout.prefix + render(entry, 2, false));
        }
    }

    /** Removes the entry named {@code name}; {@code false} when there is none. */
    boolean remove(String section, String key, String name) throws IOException {
        Layout layout = layout(section);
        if (layout == null) {
            return rewrite(section, key, name, null);
        }
        int index = layout.indexOf(key, name);
        if (index < 0) {
            return false;
        }
        Item item = layout.items.get(index);
        splice(item.start, item.end, "");
        return true;
    }

    private void splice(int from, int to, String replacement) {
        text = text.substring(0, from) + replacement + text.substring(to);
    }

    private JsonNode tree() throws IOException {
        try {
            JsonNode root = MAPPER.readTree(text);
            return root == null || !root.isObject() ? JsonNodeFactory.instance.objectNode() : root;
        } catch (JsonProcessingException e) {
            throw new IOException("invalid YAML: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
    }

    // ------------------------------------------------------------------ where the entries are

    /** One entry of a block list: its text from the dash line to its last line that is neither blank nor comment. */
    private record Item(int start, int end, int dashColumn, boolean flow, String name) {
    }

    /**
     * The entries of a block list; or for a missing or empty list, where a first entry goes ({@code insertAt}, with
     * {@code prefix} written before it).
     */
    private record Layout(List<Item> items, int insertAt, String prefix) {
        int indexOf(String key, String name) {
            for (int i = 0; i < items.size(); i++) {
                if (name.equals(items.get(i).name)) {
                    return i;
                }
            }
            return -1;
        }
    }

    /** The layout of {@code section}, or {@code null} when the file must be written again as a whole. */
    private Layout layout(String section) throws IOException {
        Node root;
        try {
            root = LocatedYaml.read(bytes());
        } catch (LocatedYaml.SyntaxException e) {
            throw new IOException("line " + e.position.line() + ": " + e.getMessage());
        }
        int[] lines = lineStarts();
        if (root == null || root instanceof Scalar s && s.isNull()) {
            return new Layout(List.of(), text.length(), section + ":\n");
        }
        if (!(root instanceof MapNode top)) {
            return null;
        }
        Entry entry = top.entries().get(section);
        if (entry == null) {
            return new Layout(List.of(), text.length(), (text.isEmpty() ? "" : "\n") + section + ":\n");
        }
        int sectionEnd = sectionEnd(top, section, lines);
        if (!(entry.value() instanceof ListNode list) || charAt(list.position(), lines) != '-') {
            return null;
        }
        String key = section.equals("users") ? "username" : "name";
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < list.items().size(); i++) {
            Node node = list.items().get(i);
            int at = offset(node.position(), lines);
            int dash = at - 1;
            while (dash >= 0 && Character.isWhitespace(text.charAt(dash))) {
                dash--;
            }
            if (dash < 0 || text.charAt(dash) != '-' || !(node instanceof MapNode map)) {
                return null;
            }
            int lineStart = text.lastIndexOf('\n', dash) + 1;
            if (!text.substring(lineStart, dash).isBlank()) {
                return null;
            }
            int end;
            if (i + 1 < list.items().size()) {
                int next = offset(list.items().get(i + 1).position(), lines);
                int nextDash = text.lastIndexOf('-', next);
                end = text.lastIndexOf('\n', nextDash) + 1;
            } else {
                end = sectionEnd;
            }
            Entry named = map.entries().get(key);
            String name = named != null && named.value() instanceof Scalar s && !s.isNull() ? s.text() : null;
            items.add(new Item(lineStart, trimTrailing(lineStart, end), dash - lineStart, text.charAt(at) == '{', name));
        }
        return new Layout(items, sectionEnd, "");
    }

    /** Where the text of top-level key {@code section} ends: at the line of the next top-level key, or the end. */
    private int sectionEnd(MapNode top, String section, int[] lines) {
        boolean after = false;
        for (Map.Entry<String, Entry> e : top.entries().entrySet()) {
            if (after) {
                return trimTrailing(0, lines[e.getValue().keyPosition().line() - 1]);
            }
            after = e.getKey().equals(section);
        }
        return trimTrailing(0, text.length());
    }

    /** Moves {@code end} back over trailing lines that are blank or comments (they belong to what follows). */
    private int trimTrailing(int start, int end) {
        int cut = end;
        while (cut > start) {
            int lineStart = text.lastIndexOf('\n', cut - 2) + 1;
            if (lineStart < start) {
                break;
            }
            String line = text.substring(lineStart, cut).strip();
            if (!line.isEmpty() && !line.startsWith("#")) {
                break;
            }
            cut = lineStart;
        }
        return cut;
    }

    private int[] lineStarts() {
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n' && i + 1 < text.length()) {
                starts.add(i + 1);
            }
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The offset of a 1-based line and column; Jackson counts columns in characters. */
    private int offset(LocatedYaml.Position p, int[] lines) {
        return Math.min(text.length(), lines[p.line() - 1] + p.column() - 1);
    }

    private char charAt(LocatedYaml.Position p, int[] lines) {
        int at = offset(p, lines);
        return at < text.length() ? text.charAt(at) : '\0';
    }

    // ------------------------------------------------------------------ the whole-tree fallback

    /** Writes the whole tree again with the change applied, keeping the comment block at the top. */
    private boolean rewrite(String section, String key, String name, ObjectNode entry) throws IOException {
        JsonNode parsed = tree();
        ObjectNode root = parsed.isObject() ? (ObjectNode) parsed : JsonNodeFactory.instance.objectNode();
        JsonNode existing = root.get(section);
        ArrayNode list;
        if (existing == null || existing.isNull()) {
            list = root.putArray(section);
        } else if (existing.isArray()) {
            list = (ArrayNode) existing;
        } else {
            throw new IOException(section + ": expected a list");
        }
        boolean found = false;
        for (Iterator<JsonNode> it = list.iterator(); it.hasNext(); ) {
            JsonNode item = it.next();
            if (item.isObject() && name.equals(item.path(key).asText(null))) {
                found = true;
                if (entry == null) {
                    it.remove();
                }
            }
        }
        if (entry != null) {
            boolean replaced = false;
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i).isObject() && name.equals(list.get(i).path(key).asText(null))) {
                    list.set(i, entry);
                    replaced = true;
                }
            }
            if (!replaced) {
                list.add(entry);
            }
        }
        YAMLFactory factory = YAMLFactory.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
                .build();
        text = headerComments(text) + new YAMLMapper(factory).writeValueAsString(root);
        return found;
    }

    /** The leading lines that are comments or blank, kept verbatim. */
    static String headerComments(String text) {
        StringBuilder header = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String stripped = line.strip();
            if (!stripped.isEmpty() && !stripped.startsWith("#")) {
                break;
            }
            header.append(line).append('\n');
        }
        String h = header.toString().stripTrailing();
        return h.isEmpty() ? "" : h + "\n\n";
    }

    // ------------------------------------------------------------------ writing an entry

    /** An entry of a list whose dash is at {@code dashColumn}: one flow line, or a block mapping. */
    static String render(ObjectNode entry, int dashColumn, boolean flow) {
        String pad = " ".repeat(dashColumn);
        if (flow || entry.isEmpty()) {
            return pad + "- " + flow(entry) + "\n";
        }
        StringBuilder b = new StringBuilder();
        boolean first = true;
        for (Map.Entry<String, JsonNode> field : entry.properties()) {
            b.append(pad).append(first ? "- " : "  ");
            first = false;
            keyValue(b, field.getKey(), field.getValue(), dashColumn + 2);
        }
        return b.toString();
    }

    private static void keyValue(StringBuilder b, String key, JsonNode value, int indent) {
        b.append(scalar(key)).append(':');
        if (value.isArray() && !value.isEmpty() && !allScalars(value)) {
            b.append('\n');
            for (JsonNode element : value) {
                b.append(" ".repeat(indent + 2)).append("- ").append(flow(element)).append('\n');
            }
        } else if (value.isObject() && !value.isEmpty()) {
            b.append('\n');
            for (Map.Entry<String, JsonNode> field : value.properties()) {
                b.append(" ".repeat(indent + 2));
                keyValue(b, field.getKey(), field.getValue(), indent + 2);
            }
        } else {
            b.append(' ').append(flow(value)).append('\n');
        }
    }

    private static boolean allScalars(JsonNode array) {
        for (JsonNode e : array) {
            if (e.isContainerNode()) {
                return false;
            }
        }
        return true;
    }

    /** A value in flow style: {@code {topic: "a/#", qos: [0, 1]}}. */
    static String flow(JsonNode value) {
        if (value.isObject()) {
            StringBuilder b = new StringBuilder("{");
            for (Map.Entry<String, JsonNode> field : value.properties()) {
                b.append(b.length() > 1 ? ", " : "").append(scalar(field.getKey())).append(": ")
                        .append(flow(field.getValue()));
            }
            return b.append('}').toString();
        }
        if (value.isArray()) {
            StringBuilder b = new StringBuilder("[");
            for (JsonNode e : value) {
                b.append(b.length() > 1 ? ", " : "").append(flow(e));
            }
            return b.append(']').toString();
        }
        if (value.isNull()) {
            return "null";
        }
        if (value.isTextual()) {
            return scalar(value.textValue());
        }
        return value.asText();
    }

    /** A string as a plain scalar when that reads back as the same string, else double-quoted. */
    static String scalar(String s) {
        if (PLAIN.matcher(s).matches() && !RESERVED.contains(s.toLowerCase(Locale.ROOT))) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || c == '\uFEFF') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
