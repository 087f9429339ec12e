package io.rampart.admin.http;

import java.util.List;

/**
 * An error answer as an RFC 9457 problem document ({@code application/problem+json}): {@code type}, {@code title},
 * {@code status}, {@code detail} and the request id. The detail speaks to the caller and never carries internals
 * (no stack traces, class names, file paths or secrets).
 */
public final class Problem {

    private Problem() {
    }

    /** @param fields names the detail is about (unknown JSON fields, query parameters), or empty */
    public static HttpAnswer of(int status, String detail, String requestId, List<String> fields) {
        StringBuilder b = new StringBuilder(128);
        b.append("{\"type\":").append(Json.quote("urn:rampart:problem:" + slug(status)))
                .append(",\"title\":").append(Json.quote(title(status)))
                .append(",\"status\":").append(status)
                .append(",\"detail\":").append(Json.quote(detail == null ? title(status) : detail));
        if (requestId != null) {
            b.append(",\"requestId\":").append(Json.quote(requestId));
        }
        if (fields != null && !fields.isEmpty()) {
            b.append(",\"fields\":[");
            for (int i = 0; i < fields.size(); i++) {
                b.append(i == 0 ? "" : ",").append(Json.quote(fields.get(i)));
            }
            b.append(']');
        }
        b.append("}\n");
        return HttpAnswer.of(status, HttpAnswer.PROBLEM, b.toString());
    }

    public static HttpAnswer of(int status, String detail, String requestId) {
        return of(status, detail, requestId, List.of());
    }

    public static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 415 -> "Unsupported Media Type";
            case 422 -> "Unprocessable Content";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "Error";
        };
    }

    private static String slug(int status) {
        return title(status).toLowerCase(java.util.Locale.ROOT).replace(' ', '-');
    }
}
