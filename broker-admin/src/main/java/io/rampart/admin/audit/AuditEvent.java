package io.rampart.admin.audit;

import java.time.Instant;

/**
 * One audited admin call.
 *
 * @param time      when it was decided
 * @param actor     who (identity name), or {@code -} when unauthenticated
 * @param method    how it authenticated: {@code basic}, {@code token}, {@code jwt}, {@code session}, {@code x509}, or {@code -}
 * @param tokenId   the API token's id, or {@code null}
 * @param address   the caller's IP address
 * @param action    what, e.g. {@code clients.disconnect}
 * @param target    on what, e.g. {@code client:dev-1}, or {@code null}
 * @param result    {@code success}, {@code denied} or {@code failed}
 * @param status    the HTTP status answered
 * @param requestId the request's id (also in the answer's {@code X-Request-Id})
 * @param detail    a reason or a note, or {@code null}
 * @param before    for changes: the state before (JSON, never a secret or a hash), or {@code null}
 * @param after     for changes: the state after, or {@code null}
 */
public record AuditEvent(Instant time, String actor, String method, String tokenId, String address, String action,
                         String target, String result, int status, String requestId, String detail, String before,
                         String after) {
}
