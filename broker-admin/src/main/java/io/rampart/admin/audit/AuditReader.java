package io.rampart.admin.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads audit lines back for {@code GET /api/v1/audit}: both formats, filtered, in file order from a line number or
 * newest first before a line number.
 */
public final class AuditReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditReader() {
    }

    /**
     * What to return.
     *
     * @param actor  exact actor, or {@code null}
     * @param action exact action, or a prefix ending with {@code .} (e.g. {@code bans.}), or {@code null}
     * @param target exact target, or {@code null}
     * @param since  inclusive lower bound on the time, or {@code null}
     * @param until  exclusive upper bound, or {@code null}
     */
    public record Query(String actor, String action, String target, Instant since, Instant until) {
        boolean accepts(Map<String, Object> e) {
            if (actor != null && !actor.equals(e.get("actor"))) {
                return false;
            }
            Object a = e.get("action");
            if (action != null && !(action.endsWith(".") ? String.valueOf(a).startsWith(action) : action.equals(a))) {
                return false;
            }
            if (target != null && !target.equals(e.get("target"))) {
                return false;
            }
            if (since != null || until != null) {
                Instant t;
                try {
                    t = Instant.parse(String.valueOf(e.get("time")));
                } catch (DateTimeParseException ex) {
                    return false;
                }
                if (since != null && t.isBefore(since) || until != null && !t.isBefore(until)) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * A page: the entries (each with its {@code line} number) and the line the next page continues from (after it in
     * file order, before it newest first), or 0 at the end.
     */
    public record Page(List<Map<String, Object>> entries, long next) {
    }

    /**
     * @param afterLine return entries after this 1-based line number (0 = from the start)
     * @param limit     at most this many entries
     */
    public static Page read(Path file, Query query, long afterLine, int limit) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return new Page(out, 0);
        }
        long n = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                n++;
                if (n <= afterLine || line.isBlank()) {
                    continue;
                }
                Map<String, Object> entry = parse(line);
                if (entry == null || !query.accepts(entry)) {
                    continue;
                }
                if (out.size() == limit) {
                    return new Page(out, n - 1);
                }
                entry.put("line", n);
                out.add(entry);
            }
        }
        return new Page(out, 0);
    }

    /**
     * Newest first: the last {@code limit} matching entries before a line, the newest first.
     *
     * @param beforeLine return entries before this 1-based line number (0 = up to the end of the file)
     * @param limit      at most this many entries
     */
    public static Page readNewest(Path file, Query query, long beforeLine, int limit) throws IOException {
        ArrayDeque<Map<String, Object>> last = new ArrayDeque<>(limit + 1);
        if (!Files.exists(file)) {
            return new Page(List.of(), 0);
        }
        long n = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                n++;
                if (beforeLine != 0 && n >= beforeLine) {
                    break;
                }
                if (line.isBlank()) {
                    continue;
                }
                Map<String, Object> entry = parse(line);
                if (entry == null || !query.accepts(entry)) {
                    continue;
                }
                entry.put("line", n);
                last.addLast(entry);
                if (last.size() > limit + 1) {
                    last.removeFirst();
                }
            }
        }
        boolean more = last.size() > limit;
        if (more) {
            last.removeFirst();
        }
        List<Map<String, Object>> out = new ArrayList<>(last);
        Collections.reverse(out);
        return new Page(out, more ? (long) out.get(out.size() - 1).get("line") : 0);
    }

    /** The fields of one line, or {@code null} when it is not an audit line. */
    static Map<String, Object> parse(String line) {
        if (line.startsWith("{")) {
            try {
                JsonNode node = JSON.readTree(line);
                Map<String, Object> out = new LinkedHashMap<>();
                node.properties().forEach(e -> out.put(e.getKey(), e.getValue().isNull() ? null
                        : e.getValue().isNumber() ? e.getValue().numberValue() : e.getValue().asText()));
                return out;
            } catch (IOException e) {
                return null;
            }
        }
        return plain(line);
    }

    private static Map<String, Object> plain(String line) {
        Map<String, Object> out = new LinkedHashMap<>();
        int i = 0;
        int len = line.length();
        while (i < len) {
            int eq = line.indexOf('=', i);
            if (eq < 0) {
                return null;
            }
            String key = line.substring(i, eq);
            int v = eq + 1;
            Object value;
            if (v < len && line.charAt(v) == '"') {
                StringBuilder b = new StringBuilder();
                int j = v + 1;
                while (j < len && line.charAt(j) != '"') {
                    char c = line.charAt(j);
                    if (c == '\\' && j + 1 < len) {
                        char next = line.charAt(++j);
                        switch (next) {
                            case 'n' -> b.append('\n');
                            case 'r' -> b.append('\r');
                            case 't' -> b.append('\t');
                            case 'u' -> {
                                if (j + 4 >= len) {
                                    return null;
                                }
                                b.append((char) Integer.parseInt(line.substring(j + 1, j + 5), 16));
                                j += 4;
                            }
                            default -> b.append(next);
                        }
                    } else {
                        b.append(c);
                    }
                    j++;
                }
                value = b.toString();
                i = j + 2;
            } else {
                int end = line.indexOf(' ', v);
                end = end < 0 ? len : end;
                String word = line.substring(v, end);
                value = "null".equals(word) || "-".equals(word) ? null : word;
                i = end + 1;
            }
            if ("status".equals(key) && value instanceof String s) {
                try {
                    value = Integer.parseInt(s);
                } catch (NumberFormatException e) {
                    return null;
                }
            }
            out.put(key, value);
        }
        return out.containsKey("action") ? out : null;
    }
}
