package io.rampart.server.admin;

import java.nio.charset.StandardCharsets;

/**
 * What an admin endpoint answers.
 *
 * @param status      HTTP status code
 * @param contentType the Content-Type header
 * @param body        the body bytes
 */
public record AdminResponse(int status, String contentType, byte[] body) {

    public static final String JSON = "application/json; charset=utf-8";
    public static final String TEXT = "text/plain; charset=utf-8";

    public static AdminResponse json(int status, String json) {
        return new AdminResponse(status, JSON, (json + "\n").getBytes(StandardCharsets.UTF_8));
    }

    public static AdminResponse text(int status, String text) {
        return new AdminResponse(status, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** A JSON error body {@code {"error":"..."}}. */
    public static AdminResponse error(int status, String message) {
        return json(status, "{\"error\":" + Json.string(message) + "}");
    }
}
