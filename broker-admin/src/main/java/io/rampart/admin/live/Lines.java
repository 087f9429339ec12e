package io.rampart.admin.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Event data as one line of JSON (Jackson escapes line breaks inside strings). */
final class Lines {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Lines() {
    }

    static String json(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event data cannot be written as JSON", e);
        }
    }
}
