package io.rampart.security.realm.jwt;

import com.nimbusds.jwt.JWTClaimsSet;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Reads claims by a dotted path ({@code realm_access.roles}) and as lists of strings: the JWT realm's roles claims
 * and the admin plane's OpenID Connect sign-in read them alike.
 */
public final class Claims {

    private Claims() {
    }

    /** The value at a dotted path, or {@code null}. A top-level claim whose name contains dots is found too. */
    public static Object at(JWTClaimsSet claims, String path) {
        Object direct = claims.getClaim(path);
        if (direct != null || path.indexOf('.') < 0) {
            return direct;
        }
        Object current = claims.getClaims();
        for (String part : path.split("\\.")) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(part);
        }
        return current;
    }

    /** A list claim as strings, or a string split at spaces; empty when absent or of another type. */
    public static List<String> strings(Object value) {
        List<String> out = new ArrayList<>();
        if (value instanceof String s) {
            for (String part : s.trim().split("\\s+")) {
                if (!part.isEmpty()) {
                    out.add(part);
                }
            }
        } else if (value instanceof Collection<?> list) {
            for (Object o : list) {
                if (o instanceof String s && !s.isEmpty()) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    /** A scalar claim as text (strings, numbers, booleans), or {@code null}. */
    public static String scalar(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        if (value instanceof java.util.Date d) {
            return Long.toString(d.getTime() / 1000);
        }
        return null;
    }
}
