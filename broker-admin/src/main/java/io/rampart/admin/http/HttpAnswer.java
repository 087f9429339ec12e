package io.rampart.admin.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What an admin listener answers: status, content type, body and extra headers (security headers are added by
 * the writer for every answer), or, for Server-Sent Events, the stream that writes the body.
 *
 * @param stream the events that make up the body of a {@code text/event-stream} answer, else {@code null}
 */
public record HttpAnswer(int status, String contentType, byte[] body, List<Map.Entry<String, String>> headers,
                         EventStream stream) {

    public static final String JSON = "application/json; charset=utf-8";
    public static final String PROBLEM = "application/problem+json; charset=utf-8";
    public static final String TEXT = "text/plain; charset=utf-8";
    public static final String YAML = "application/yaml; charset=utf-8";
    public static final String EVENT_STREAM = "text/event-stream; charset=utf-8";

    public HttpAnswer {
        body = body == null ? new byte[0] : body;
        headers = List.copyOf(headers);
    }

    public HttpAnswer(int status, String contentType, byte[] body, List<Map.Entry<String, String>> headers) {
        this(status, contentType, body, headers, null);
    }

    /** A {@code 200} Server-Sent Events answer written by {@code stream}. */
    public static HttpAnswer events(EventStream stream) {
        return new HttpAnswer(200, EVENT_STREAM, new byte[0], List.of(), stream);
    }

    public static HttpAnswer of(int status, String contentType, String body) {
        return new HttpAnswer(status, contentType, body.getBytes(StandardCharsets.UTF_8), List.of());
    }

    /** No body ({@code 204}, {@code 308}, ...). */
    public static HttpAnswer empty(int status) {
        return new HttpAnswer(status, null, new byte[0], List.of());
    }

    /** This answer with one more header. */
    public HttpAnswer with(String name, String value) {
        List<Map.Entry<String, String>> more = new ArrayList<>(headers);
        more.add(Map.entry(name, value));
        return new HttpAnswer(status, contentType, body, more, stream);
    }
}
