package io.rampart.server.events;

import io.rampart.server.logging.JsonText;
import io.rampart.server.logging.LogTime;

/**
 * Builds one event-log line: {@code key=value} pairs after a timestamp by default, or one JSON object.
 * Values the client controls (client id, topic, reason, certificate subject) are quoted and escaped so a
 * crafted value cannot break a line or forge a field. Unknown values are written as {@code unknown} or
 * {@code none}, never left out, so every line of one event has the same keys.
 */
final class EventLine {

    private final StringBuilder b = new StringBuilder(256);
    private final boolean json;

    private EventLine(boolean json, String event) {
        this.json = json;
        if (json) {
            LogTime.appendNow(b.append("{\"time\":\"")).append("\",\"event\":\"").append(event).append('"');
        } else {
            LogTime.appendNow(b).append(" event=").append(event);
        }
    }

    static EventLine of(boolean json, String event) {
        return new EventLine(json, event);
    }

    /** A value the broker chose (a number, a fixed word, an address): never quoted in plain lines. */
    EventLine word(String key, String value) {
        String v = value == null ? "unknown" : value;
        if (json) {
            b.append(",\"").append(key).append("\":");
            quote(v);
        } else {
            b.append(' ').append(key).append('=');
            if (needsQuotes(v)) {
                quote(v);
            } else {
                b.append(v);
            }
        }
        return this;
    }

    EventLine number(String key, long value) {
        if (json) {
            b.append(",\"").append(key).append("\":").append(value);
        } else {
            b.append(' ').append(key).append('=').append(value);
        }
        return this;
    }

    EventLine bool(String key, boolean value) {
        if (json) {
            b.append(",\"").append(key).append("\":").append(value);
        } else {
            b.append(' ').append(key).append('=').append(value);
        }
        return this;
    }

    /** A value the client controls: always quoted; {@code null} is written as {@code unknown}. */
    EventLine text(String key, String value) {
        return text(key, value, "unknown");
    }

    EventLine text(String key, String value, String absent) {
        if (json) {
            b.append(",\"").append(key).append("\":");
        } else {
            b.append(' ').append(key).append('=');
        }
        if (value == null) {
            if (json) {
                quote(absent);
            } else {
                b.append(absent);
            }
        } else {
            quote(value);
        }
        return this;
    }

    @Override
    public String toString() {
        return json ? b + "}" : b.toString();
    }

    private static boolean needsQuotes(String v) {
        if (v.isEmpty()) {
            return true;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    private void quote(String value) {
        b.append('"');
        JsonText.escape(b, value);
        b.append('"');
    }

}
