package io.rampart.server.logging;

/**
 * JSON string escaping for the log lines and admin answers Rampart builds by hand. The same escaping keeps
 * plain {@code key="value"} lines on one line whatever a client puts into its client id or topic: quotes,
 * backslashes, control characters and the Unicode line separators are all escaped.
 */
public final class JsonText {

    private JsonText() {
    }

    /** Appends {@code value} escaped, without the surrounding quotes. */
    public static void escape(StringBuilder b, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
    }

    /** {@code value} as a JSON string literal, or {@code null}. */
    public static String quoted(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(value.length() + 2).append('"');
        escape(b, value);
        return b.append('"').toString();
    }
}
