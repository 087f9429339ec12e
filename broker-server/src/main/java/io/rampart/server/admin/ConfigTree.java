package io.rampart.server.admin;

import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The configuration records as a tree of maps, lists and scalars for {@code GET /api/v1/config}. Every value whose
 * name suggests a secret (password, secret, token, credential) is replaced by {@code "***"}, so are credentials
 * inside URLs and the values of HTTP headers; objects that are not records (realm openers, class instances) are left out rather than printed.
 */
final class ConfigTree {

    static final String REDACTED = "***";
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(password|secret|token|credential|passphrase).*");
    /** A mapping of HTTP header names to values ({@code tracing.headers}): the values are redacted. */
    private static final String HEADERS = "headers";
    private static final Pattern URL_CREDENTIALS = Pattern.compile("(://)[^/@\\s]+@");
    private static final int MAX_DEPTH = 16;

    private ConfigTree() {
    }

    static Map<String, Object> of(Record root) {
        @SuppressWarnings("unchecked")
        Map<String, Object> out = (Map<String, Object>) value(root, 0);
        return out;
    }

    private static Object value(Object v, int depth) {
        if (v == null || depth > MAX_DEPTH) {
            return null;
        }
        if (v instanceof Record r) {
            RecordComponent[] components = r.getClass().getRecordComponents();
            if (components.length == 1) {
                // A wrapper such as the role mapping: its one value stands for it.
                try {
                    return value(components[0].getAccessor().invoke(r), depth + 1);
                } catch (ReflectiveOperationException e) {
                    return null;
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            for (RecordComponent c : components) {
                Object child;
                try {
                    child = c.getAccessor().invoke(r);
                } catch (ReflectiveOperationException e) {
                    continue;
                }
                put(out, kebab(c.getName()), child, depth);
            }
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                put(out, String.valueOf(e.getKey()), e.getValue(), depth);
            }
            return out;
        }
        if (v instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>();
            for (Object e : c) {
                Object x = value(e, depth + 1);
                if (x != null || e == null) {
                    out.add(x);
                }
            }
            return out;
        }
        if (v instanceof byte[] || v instanceof char[]) {
            return REDACTED;
        }
        if (v instanceof String s) {
            return URL_CREDENTIALS.matcher(s).replaceAll("$1" + REDACTED + "@");
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v;
        }
        if (v instanceof Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
        if (v instanceof Path || v instanceof Duration || v instanceof Instant || v instanceof Pattern
                || v instanceof URI || v instanceof Character) {
            return value(v.toString(), depth);
        }
        return null;
    }

    private static void put(Map<String, Object> out, String name, Object child, int depth) {
        if (child != null && SECRET_NAME.matcher(name).matches()) {
            out.put(name, REDACTED);
            return;
        }
        if (child instanceof Map<?, ?> headers && HEADERS.equals(name)) {
            // HTTP headers sent to a collector carry credentials under any name (Authorization, X-Api-Key, ...).
            Map<String, Object> hidden = new LinkedHashMap<>();
            headers.keySet().forEach(header -> hidden.put(String.valueOf(header), REDACTED));
            out.put(name, hidden);
            return;
        }
        Object v = value(child, depth + 1);
        if (v != null || child == null) {
            out.put(name, v);
        }
    }

    private static String kebab(String camel) {
        StringBuilder b = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) {
                b.append('-').append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
