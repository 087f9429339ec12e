package io.rampart.core.message;

import java.util.Objects;

/** One MQTT 5 user property: a UTF-8 name/value pair, order and duplicates preserved. */
public record UserProperty(String name, String value) {
    public UserProperty {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
