package io.rampart.admin.api;

import io.rampart.admin.AdminServices;
import io.rampart.admin.broker.DetectionLog.Detection;
import io.rampart.admin.http.HttpAnswer;
import io.rampart.admin.rbac.AdminPermission;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /detections}: what the detection rules found, newest first, and acknowledging a detection. Addresses
 * (the key of address rules and the addresses a detection names) appear only with {@code data:address} unscoped
 * (detections are not scoped to clients); such a read is audited.
 */
final class DetectionEndpoints {

    private static final int MAX_NOTE = 512;
    private final AdminServices s;

    DetectionEndpoints(AdminServices services) {
        this.s = services;
    }

    List<Route> routes() {
        return List.of(
                Route.sync("GET", "/api/v1/detections", "detections.list", AdminPermission.INSIGHTS_READ, false,
                        this::list),
                Route.sync("POST", "/api/v1/detections/{id}/acknowledge", "detections.acknowledge",
                        AdminPermission.DETECTIONS_WRITE, false, this::acknowledge));
    }

    private HttpAnswer list(ApiRequest r) {
        r.allowQuery("rule", "since", "limit", "cursor");
        int limit = Paging.limit(r.query("limit"));
        String after = Paging.decode(r.query("cursor"));
        Instant since = null;
        if (r.query("since") != null) {
            try {
                since = Instant.parse(r.query("since"));
            } catch (DateTimeParseException e) {
                throw new ApiException(400, "since must be an ISO-8601 instant such as 2030-01-31T12:00:00Z",
                        List.of("since"), null);
            }
        }
        boolean addresses = r.principal().grants().unscoped(AdminPermission.DATA_ADDRESS).isPresent();
        boolean shown = false;
        List<Map<String, Object>> items = new ArrayList<>();
        boolean passed = after == null;
        String last = null;
        boolean more = false;
        for (Detection d : s.insights().detections().list(r.query("rule"), since)) {
            if (!passed) {
                passed = d.id().equals(after);
                continue;
            }
            if (items.size() == limit) {
                more = true;
                break;
            }
            items.add(view(d, addresses));
            shown |= addresses && ("address".equals(d.keyKind()) || !d.addresses().isEmpty());
            last = d.id();
        }
        if (shown) {
            r.audit().sensitive();
        }
        return ApiJson.page(items, more ? last : null);
    }

    private HttpAnswer acknowledge(ApiRequest r) {
        r.allowQuery();
        String id = PathCodec.decode(r.rawPathParam("id"));
        r.audit().target("detection:" + id);
        String note = null;
        if (r.call().body().length > 0) {
            note = r.json().allow(List.of("note")).string("note");
        }
        if (note != null && (note.length() > MAX_NOTE || note.chars().anyMatch(Character::isISOControl))) {
            throw new ApiException(400, "note must be at most " + MAX_NOTE + " characters without control characters",
                    List.of("note"), null);
        }
        Detection d = s.insights().detections().acknowledge(id, r.principal().name(), note);
        if (d == null) {
            throw ApiException.notFound("no detection " + id, false);
        }
        r.audit().detail(note);
        return ApiJson.answer(200, view(d, r.principal().grants().unscoped(AdminPermission.DATA_ADDRESS).isPresent()));
    }

    static Map<String, Object> view(Detection d, boolean addresses) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("time", d.time().toString());
        m.put("rule", d.rule());
        m.put("keyKind", d.keyKind());
        m.put("key", "address".equals(d.keyKind()) && !addresses ? null : d.key());
        m.put("count", d.count());
        m.put("windowSeconds", d.window().toSeconds());
        m.put("summary", d.summary());
        if (addresses) {
            m.put("addresses", d.addresses());
        }
        m.put("banId", d.banId());
        m.put("banExpiresAt", d.banExpires() == null ? null : d.banExpires().toString());
        m.put("acknowledgedBy", d.acknowledgedBy());
        m.put("acknowledgedAt", d.acknowledgedAt() == null ? null : d.acknowledgedAt().toString());
        m.put("note", d.note());
        return m;
    }
}
