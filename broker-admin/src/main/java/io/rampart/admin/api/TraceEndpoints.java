package io.rampart.admin.api;

import io.rampart.admin.AdminServices;
import io.rampart.admin.broker.TraceRecordings;
import io.rampart.admin.broker.TraceRecordings.Recording;
import io.rampart.admin.config.Durations;
import io.rampart.admin.http.HttpAnswer;
import io.rampart.admin.rbac.AdminPermission;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /traces}: start, list, show, stop, download and delete trace recordings. Filtering by address needs
 * {@code data:address}; recording payloads needs {@code data:payload} for every topic the recording may see (its
 * topic filter, or unscoped without one), and so does downloading such a recording (an audited read).
 */
final class TraceEndpoints {

    static final String NDJSON = "application/x-ndjson";
    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*(B|KB|MB|GB)?", Pattern.CASE_INSENSITIVE);
    private static final List<String> FIELDS = List.of("name", "clientId", "username", "address", "topic",
            "packetTypes", "duration", "maxBytes", "payloads");

    private final AdminServices s;

    TraceEndpoints(AdminServices services) {
        this.s = services;
    }

    List<Route> routes() {
        return List.of(
                Route.sync("GET", "/api/v1/traces", "traces.list", AdminPermission.TRACE_READ, false, this::list),
                Route.sync("POST", "/api/v1/traces", "traces.create", AdminPermission.TRACE_WRITE, false, this::create),
                Route.sync("GET", "/api/v1/traces/{id}", "traces.get", AdminPermission.TRACE_READ, false, this::get),
                Route.sync("POST", "/api/v1/traces/{id}/stop", "traces.stop", AdminPermission.TRACE_WRITE, false,
                        this::stop),
                Route.sync("GET", "/api/v1/traces/{id}/download", "traces.download", AdminPermission.TRACE_READ, false,
                        this::download),
                Route.sync("DELETE", "/api/v1/traces/{id}", "traces.delete", AdminPermission.TRACE_WRITE, false,
                        this::delete));
    }

    private TraceRecordings traces() {
        return s.insights().traces();
    }

    private HttpAnswer list(ApiRequest r) {
        r.allowQuery("limit", "cursor");
        int limit = Paging.limit(r.query("limit"));
        String after = Paging.decode(r.query("cursor"));
        List<Map<String, Object>> items = new ArrayList<>();
        boolean passed = after == null;
        String last = null;
        boolean more = false;
        for (Recording rec : traces().list()) {
            if (!passed) {
                passed = rec.id().equals(after);
                continue;
            }
            if (items.size() == limit) {
                more = true;
                break;
            }
            items.add(view(rec, r));
            last = rec.id();
        }
        return ApiJson.page(items, more ? last : null);
    }

    private HttpAnswer create(ApiRequest r) {
        r.allowQuery();
        JsonBody body = r.json().allow(FIELDS);
        String topic = blankToNull(body.string("topic"));
        String address = blankToNull(body.string("address"));
        if (address != null) {
            r.require(AdminPermission.DATA_ADDRESS);
        }
        boolean payloads = body.bool("payloads", false);
        if (payloads && !mayReadPayloads(r, topic)) {
            throw new ApiException(403, "recording payloads needs data:payload for "
                    + (topic == null ? "every topic (the recording has no topic filter)" : "'" + topic + "'"));
        }
        Set<String> types = new LinkedHashSet<>();
        for (String t : body.strings("packetTypes")) {
            types.add(t.strip().toUpperCase(Locale.ROOT));
        }
        Duration duration = null;
        String d = body.string("duration");
        if (d != null) {
            try {
                duration = Durations.parse(d);
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, "duration " + e.getMessage(), List.of("duration"), null);
            }
        }
        Long maxBytes = size(body.numberOrString("maxBytes"));
        TraceRecordings.Request request = new TraceRecordings.Request(blankToNull(body.string("name")),
                blankToNull(body.string("clientId")), blankToNull(body.string("username")), address, topic, types,
                duration, maxBytes, payloads);
        Recording rec;
        try {
            rec = traces().start(request, r.principal().name());
        } catch (IllegalArgumentException e) {
            String message = e.getMessage() == null ? "invalid recording" : e.getMessage();
            int colon = message.indexOf(": ");
            String prefix = colon > 0 ? message.substring(0, colon) : null;
            String field = prefix != null && FIELDS.contains(prefix) ? prefix : null;
            throw new ApiException(400, field == null ? message : field + " " + message.substring(colon + 2),
                    field == null ? List.of() : List.of(field), null);
        } catch (IllegalStateException e) {
            throw new ApiException(409, e.getMessage());
        } catch (IOException e) {
            throw new ApiException(503, "the recording could not be started: " + e.getMessage());
        }
        Map<String, Object> out = view(rec, r);
        r.audit().target("trace:" + rec.id()).change(null, ApiJson.text(out));
        return ApiJson.answer(201, out).with("Location", "/api/v1/traces/" + rec.id());
    }

    private HttpAnswer get(ApiRequest r) {
        r.allowQuery();
        return ApiJson.answer(200, view(existing(r), r));
    }

    private HttpAnswer stop(ApiRequest r) {
        r.allowQuery();
        String id = PathCodec.decode(r.rawPathParam("id"));
        r.audit().target("trace:" + id);
        Recording rec = traces().stop(id, r.principal().name());
        if (rec == null) {
            throw ApiException.notFound("no trace recording " + id, false);
        }
        return ApiJson.answer(200, view(rec, r));
    }

    private HttpAnswer download(ApiRequest r) {
        r.allowQuery();
        Recording rec = existing(r);
        r.audit().target("trace:" + rec.id());
        if (rec.request().payloads()) {
            if (!mayReadPayloads(r, rec.request().topic())) {
                throw new ApiException(403, "this recording holds payloads: downloading it needs data:payload for "
                        + (rec.request().topic() == null ? "every topic" : "'" + rec.request().topic() + "'"));
            }
            r.audit().sensitive().detail("payloads");
        }
        Path file = traces().file(rec.id());
        byte[] content;
        try {
            content = file == null ? new byte[0] : Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            content = new byte[0];
        } catch (IOException e) {
            throw new ApiException(503, "the recording cannot be read right now");
        }
        return new HttpAnswer(200, NDJSON, content, List.of())
                .with("Content-Disposition", "attachment; filename=\"trace-" + rec.id() + ".jsonl\"");
    }

    private HttpAnswer delete(ApiRequest r) {
        r.allowQuery();
        String id = PathCodec.decode(r.rawPathParam("id"));
        r.audit().target("trace:" + id);
        Recording rec = traces().get(id);
        boolean deleted;
        try {
            deleted = rec != null && traces().delete(id);
        } catch (IOException e) {
            throw new ApiException(503, "the recording could not be deleted: " + e.getMessage());
        }
        if (!deleted) {
            throw ApiException.notFound("no trace recording " + id, false);
        }
        r.audit().change(ApiJson.text(view(rec, r)), null);
        return HttpAnswer.empty(204);
    }

    private Recording existing(ApiRequest r) {
        String id = PathCodec.decode(r.rawPathParam("id"));
        Recording rec = traces().get(id);
        if (rec == null) {
            throw ApiException.notFound("no trace recording " + id, false);
        }
        return rec;
    }

    /** Whether the caller may see payloads on every topic the filter matches (every topic without a filter). */
    private static boolean mayReadPayloads(ApiRequest r, String topicFilter) {
        return topicFilter == null
                ? r.principal().grants().unscoped(AdminPermission.DATA_PAYLOAD).isPresent()
                : r.principal().grants().forFilter(AdminPermission.DATA_PAYLOAD, topicFilter).isPresent();
    }

    private static Long size(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw new ApiException(400, "maxBytes must be a size in bytes such as 1048576 or \"4MB\" (was \""
                    + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "\")", List.of("maxBytes"), null);
        }
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        int shift = switch (unit) {
            case "KB" -> 10;
            case "MB" -> 20;
            case "GB" -> 30;
            default -> 0;
        };
        return Long.parseLong(m.group(1)) << shift;
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v;
    }

    /** The recording as the caller may see it: its address filter only with an unscoped {@code data:address}. */
    static Map<String, Object> view(Recording rec, ApiRequest r) {
        TraceRecordings.Request q = rec.request();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", rec.id());
        m.put("name", q.name());
        m.put("state", rec.state());
        Map<String, Object> filter = new LinkedHashMap<>();
        filter.put("clientId", q.clientId());
        filter.put("username", q.username());
        filter.put("address", q.address() != null
                && r.principal().grants().unscoped(AdminPermission.DATA_ADDRESS).isEmpty() ? "***" : q.address());
        filter.put("topic", q.topic());
        filter.put("packetTypes", q.packetTypes().stream().sorted().toList());
        m.put("filter", filter);
        m.put("payloads", q.payloads());
        m.put("createdBy", rec.createdBy());
        m.put("createdAt", rec.createdAt().toString());
        m.put(rec.stopReason() == null ? "endsAt" : "stoppedAt", rec.endsAt().toString());
        m.put("stopReason", rec.stopReason());
        m.put("maxBytes", rec.maxBytes());
        m.put("bytes", rec.bytes());
        m.put("packets", rec.packets());
        m.put("dropped", rec.dropped());
        return m;
    }
}
