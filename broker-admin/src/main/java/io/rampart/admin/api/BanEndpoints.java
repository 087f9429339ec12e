package io.rampart.admin.api;

import io.rampart.admin.AdminServices;
import io.rampart.admin.ban.Ban;
import io.rampart.admin.ban.BanEnforcement;
import io.rampart.admin.config.Durations;
import io.rampart.admin.http.HttpAnswer;
import io.rampart.admin.rbac.AdminPermission;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /bans}: list, add, lift. A new ban also disconnects the live sessions it hits (MQTT 5: DISCONNECT 0x98);
 * from then on such clients are refused at CONNECT (0x8A, MQTT 3 return code 5) before any realm is asked.
 */
final class BanEndpoints {

    private static final int MAX_REASON = 512;

    private final AdminServices s;

    BanEndpoints(AdminServices services) {
        this.s = services;
    }

    List<Route> routes() {
        return List.of(
                Route.sync("GET", "/api/v1/bans", "bans.list", AdminPermission.BANS_READ, false, this::list),
                Route.sync("POST", "/api/v1/bans", "bans.create", AdminPermission.BANS_WRITE, false, this::create),
                Route.sync("DELETE", "/api/v1/bans/{id}", "bans.delete", AdminPermission.BANS_WRITE, false, this::delete));
    }

    private HttpAnswer list(ApiRequest r) {
        r.allowQuery("limit", "cursor");
        int limit = Paging.limit(r.query("limit"));
        String after = Paging.decode(r.query("cursor"));
        List<Map<String, Object>> items = new ArrayList<>();
        String last = null;
        boolean more = false;
        for (Ban b : s.bans().list()) {
            String key = key(b);
            if (after != null && key.compareTo(after) <= 0) {
                continue;
            }
            if (items.size() == limit) {
                more = true;
                break;
            }
            items.add(view(b));
            last = key;
        }
        return ApiJson.page(items, more ? last : null);
    }

    private HttpAnswer create(ApiRequest r) {
        r.allowQuery();
        JsonBody body = r.json().allow(List.of("kind", "value", "reason", "expiresIn", "expiresAt"));
        Ban.Kind kind;
        try {
            kind = Ban.Kind.byId(body.requiredString("kind"));
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "kind " + e.getMessage(), List.of("kind"), null);
        }
        String value = body.requiredString("value");
        String reason = body.string("reason");
        if (reason != null && (reason.length() > MAX_REASON || reason.chars().anyMatch(Character::isISOControl))) {
            throw new ApiException(400, "reason must be at most " + MAX_REASON + " characters without control characters",
                    List.of("reason"), null);
        }
        Instant expiresAt = expiry(body);
        Ban ban;
        try {
            ban = s.bans().add(kind, value, reason, expiresAt, r.principal().name());
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage().replaceFirst("^value: ", "value "), List.of("value"), null);
        } catch (IOException e) {
            throw new ApiException(503, "the ban could not be stored: " + e.getMessage());
        }
        int disconnected = BanEnforcement.disconnectHit(ban, s.clients());
        r.audit().target("ban:" + ban.id()).change(null, ApiJson.text(view(ban)))
                .detail(ban.describe() + "; " + disconnected + " live session(s) disconnected");
        Map<String, Object> out = view(ban);
        out.put("disconnectedSessions", disconnected);
        return ApiJson.answer(201, out).with("Location", "/api/v1/bans/" + ban.id());
    }

    private HttpAnswer delete(ApiRequest r) {
        r.allowQuery();
        String id = PathCodec.decode(r.rawPathParam("id"));
        r.audit().target("ban:" + id);
        Ban removed;
        try {
            removed = s.bans().remove(id);
        } catch (IOException e) {
            throw new ApiException(503, "the ban could not be lifted: " + e.getMessage());
        }
        if (removed == null) {
            throw ApiException.notFound("no ban " + id, false);
        }
        r.audit().change(ApiJson.text(view(removed)), null);
        return HttpAnswer.empty(204);
    }

    private Instant expiry(JsonBody body) {
        String in = body.string("expiresIn");
        String at = body.string("expiresAt");
        if (in != null && at != null) {
            throw new ApiException(400, "give expiresIn or expiresAt, not both", List.of("expiresIn", "expiresAt"), null);
        }
        try {
            if (in != null) {
                return s.clock().instant().plus(Durations.parse(in)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            }
            if (at != null) {
                Instant when = Instant.parse(at);
                if (!when.isAfter(s.clock().instant())) {
                    throw new ApiException(400, "expiresAt lies in the past", List.of("expiresAt"), null);
                }
                return when;
            }
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "expiresIn " + e.getMessage(), List.of("expiresIn"), null);
        } catch (DateTimeParseException e) {
            throw new ApiException(400, "expiresAt must be an ISO-8601 instant such as 2030-01-31T12:00:00Z",
                    List.of("expiresAt"), null);
        }
        return null;
    }

    private static String key(Ban b) {
        return b.createdAt() + "/" + b.id();
    }

    static Map<String, Object> view(Ban b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", b.id());
        m.put("kind", b.kind().id());
        m.put("value", b.value());
        m.put("reason", b.reason());
        m.put("createdBy", b.createdBy());
        m.put("createdAt", b.createdAt().toString());
        m.put("expiresAt", b.expiresAt() == null ? null : b.expiresAt().toString());
        return m;
    }
}
