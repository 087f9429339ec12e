package io.rampart.admin.api;

import io.rampart.admin.AdminServices;
import io.rampart.admin.broker.TopicActivity;
import io.rampart.admin.broker.TopicActivity.Order;
import io.rampart.admin.broker.TopicActivity.Rate;
import io.rampart.admin.http.HttpAnswer;
import io.rampart.admin.rbac.AdminPermission;
import io.rampart.core.topic.FilterCount;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /insights/topics}: the busiest topics and topic levels (by messages or bytes per second, in or out) and
 * the filters with the most subscribers. Topic names are not scoped to clients: the route needs
 * {@code insights:read}.
 */
final class TopicEndpoints {

    private static final int MAX_LIMIT = 100;
    private static final int DEFAULT_LIMIT = 10;
    private final AdminServices s;

    TopicEndpoints(AdminServices services) {
        this.s = services;
    }

    List<Route> routes() {
        return List.of(Route.sync("GET", "/api/v1/insights/topics", "insights.topics", AdminPermission.INSIGHTS_READ,
                false, this::topics));
    }

    private HttpAnswer topics(ApiRequest r) {
        r.allowQuery("by", "limit");
        Order by = Order.MESSAGES_IN;
        if (r.query("by") != null) {
            by = Order.byId(r.query("by"));
            if (by == null) {
                throw new ApiException(400, "by must be messages-in, bytes-in, messages-out or bytes-out",
                        List.of("by"), null);
            }
        }
        int limit = DEFAULT_LIMIT;
        if (r.query("limit") != null) {
            try {
                limit = Integer.parseInt(r.query("limit"));
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new ApiException(400, "limit must be a number from 1 to " + MAX_LIMIT, List.of("limit"), null);
            }
        }
        TopicActivity topics = s.insights().topics();
        if (!topics.enabled()) {
            throw new ApiException(404, "topic insights are off (insights.topics.enabled: false)");
        }
        TopicActivity.View view = topics.view(by, limit);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("updated", view.updated() == null ? null : view.updated().toString());
        body.put("spanSeconds", round(view.span().toMillis() / 1000.0));
        body.put("by", by.id());
        body.put("levelDepth", view.depth());
        body.put("topics", rates("topic", view.topics()));
        body.put("levels", rates("level", view.levels()));
        List<Map<String, Object>> filters = new ArrayList<>();
        for (FilterCount f : view.filters()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("filter", f.filter());
            m.put("subscribers", f.total());
            m.put("shared", f.shared());
            filters.add(m);
        }
        body.put("filters", filters);
        return ApiJson.answer(200, body);
    }

    private static List<Map<String, Object>> rates(String key, List<Rate> rates) {
        List<Map<String, Object>> out = new ArrayList<>(rates.size());
        for (Rate rate : rates) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(key, rate.name());
            m.put("messagesInPerSecond", round(rate.messagesInPerSecond()));
            m.put("bytesInPerSecond", round(rate.bytesInPerSecond()));
            m.put("messagesOutPerSecond", round(rate.messagesOutPerSecond()));
            m.put("bytesOutPerSecond", round(rate.bytesOutPerSecond()));
            m.put("messagesIn", rate.messagesIn());
            m.put("bytesIn", rate.bytesIn());
            m.put("messagesOut", rate.messagesOut());
            m.put("bytesOut", rate.bytesOut());
            out.add(m);
        }
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
