package io.rampart.admin.api;

import io.rampart.admin.AdminServices;
import io.rampart.admin.audit.AuditReader;
import io.rampart.admin.http.HttpAnswer;
import io.rampart.admin.rbac.AdminPermission;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /metrics/summary}, {@code GET /cluster} and {@code GET /audit} (filters: actor, action, target, time
 * range; order).
 */
final class InsightEndpoints {

    private final AdminServices s;

    InsightEndpoints(AdminServices services) {
        this.s = services;
    }

    List<Route> routes() {
        return List.of(
                Route.sync("GET", "/api/v1/metrics/summary", "metrics.summary", AdminPermission.METRICS_READ, false,
                        this::summary),
                Route.sync("GET", "/api/v1/cluster", "cluster.get", AdminPermission.CLUSTER_READ, false, r -> {
                    r.allowQuery();
                    return ApiJson.answer(200, s.control().cluster());
                }),
                Route.sync("GET", "/api/v1/audit", "audit.list", AdminPermission.AUDIT_READ, false, this::audit));
    }

    private HttpAnswer summary(ApiRequest r) {
        r.allowQuery();
        return ApiJson.answer(200, s.control().metricsSummary());
    }

    private HttpAnswer audit(ApiRequest r) {
        r.allowQuery("actor", "action", "target", "since", "until", "order", "limit", "cursor");
        String order = r.query("order");
        boolean newest = "newest".equals(order);
        if (order != null && !newest && !"oldest".equals(order)) {
            throw new ApiException(400, "order must be oldest or newest", List.of("order"), null);
        }
        int limit = Paging.limit(r.query("limit"));
        String cursor = Paging.decode(r.query("cursor"));
        long from;
        try {
            from = cursor == null ? 0 : Long.parseLong(cursor);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("cursor is not one this API handed out");
        }
        Path file = s.audit().file();
        if (file == null) {
            throw new ApiException(503, "the audit log is not written to a file of its own (see config/log4j2.xml)");
        }
        AuditReader.Query query = new AuditReader.Query(r.query("actor"), r.query("action"), r.query("target"),
                instant(r, "since"), instant(r, "until"));
        AuditReader.Page page;
        try {
            page = newest ? AuditReader.readNewest(file, query, from, limit)
                    : AuditReader.read(file, query, from, limit);
        } catch (IOException e) {
            throw new ApiException(503, "the audit log cannot be read right now");
        }
        List<Map<String, Object>> items = page.entries();
        return ApiJson.page(items, page.next() == 0 ? null : Long.toString(page.next()));
    }

    private static Instant instant(ApiRequest r, String name) {
        String v = r.query(name);
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new ApiException(400, name + " must be an ISO-8601 instant such as 2030-01-31T12:00:00Z",
                    List.of(name), null);
        }
    }
}
