package io.rampart.admin.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Cursor paging: {@code limit} (1 to {@value #MAX_LIMIT}, default {@value #DEFAULT_LIMIT}) and an opaque
 * {@code cursor} from the previous page's {@code nextCursor}. A cursor is the last key of the previous page, so
 * pages follow a stable order and entries added or removed meanwhile never shift the others.
 */
public final class Paging {

    public static final int MAX_LIMIT = 1000;
    public static final int DEFAULT_LIMIT = 100;

    private Paging() {
    }

    public static int limit(String value) {
        if (value == null) {
            return DEFAULT_LIMIT;
        }
        int limit;
        try {
            limit = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("limit must be a whole number between 1 and " + MAX_LIMIT);
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.badRequest("limit must be between 1 and " + MAX_LIMIT + " (was " + limit + ")");
        }
        return limit;
    }

    public static String encode(String key) {
        return key == null ? null
                : Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
    }

    /** The key of a cursor, or {@code null} for the first page. */
    public static String decode(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("cursor is not one this API handed out");
        }
    }
}
