package io.rampart.admin.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.rampart.admin.http.HttpAnswer;

import java.util.List;
import java.util.Map;

/** JSON answers of the API. */
public final class ApiJson {

    private ApiJson() {
    }

    public static HttpAnswer answer(int status, Object body) {
        try {
            byte[] bytes = JsonBody.MAPPER.writeValueAsBytes(body);
            byte[] withNewline = java.util.Arrays.copyOf(bytes, bytes.length + 1);
            withNewline[bytes.length] = '\n';
            return new HttpAnswer(status, HttpAnswer.JSON, withNewline, List.of());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("answer cannot be written as JSON", e);
        }
    }

    /** One page of a list: {@code {"items":[...],"nextCursor":...}}. */
    public static HttpAnswer page(List<?> items, String nextCursorKey) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("items", items);
        body.put("nextCursor", Paging.encode(nextCursorKey));
        return answer(200, body);
    }

    /** A value as compact JSON text (audit before/after). */
    public static String text(Object value) {
        try {
            return JsonBody.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
