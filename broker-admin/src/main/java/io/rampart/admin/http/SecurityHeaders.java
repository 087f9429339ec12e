package io.rampart.admin.http;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * Headers every admin answer carries: no caching, no sniffing, no framing, no referrer; HSTS on HTTPS. No CORS.
 * The Control Center's files replace the caching and Content-Security-Policy headers with their own.
 */
final class SecurityHeaders {

    static final String CSP = "default-src 'none'; frame-ancestors 'none'";
    static final String HSTS = "max-age=31536000";

    private SecurityHeaders() {
    }

    /** Whether an answer's own header of this name replaces the default instead of adding a second one. */
    static boolean isOverridable(String name) {
        return name.equalsIgnoreCase("Cache-Control") || name.equalsIgnoreCase("Content-Security-Policy");
    }

    static void apply(HttpHeaders headers, boolean secure) {
        headers.set("Cache-Control", "no-store")
                .set("X-Content-Type-Options", "nosniff")
                .set("X-Frame-Options", "DENY")
                .set("Content-Security-Policy", CSP)
                .set("Referrer-Policy", "no-referrer");
        if (secure) {
            headers.set("Strict-Transport-Security", HSTS);
        }
    }
}
