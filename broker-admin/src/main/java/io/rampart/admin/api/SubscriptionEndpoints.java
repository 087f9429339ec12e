package io.rampart.admin.api;

import io.rampart.admin.AdminServices;
import io.rampart.admin.broker.ClientDirectory.ClientSummary;
import io.rampart.admin.broker.ClientDirectory.SubscriptionView;
import io.rampart.admin.http.HttpAnswer;
import io.rampart.admin.rbac.AdminPermission;
import io.rampart.core.topic.Topics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /subscriptions}: every subscription in (client id, filter) order, optionally of one client or of one
 * filter; a shared subscription lists the members of its group. A scoped caller sees the subscriptions of the
 * clients its grants reach (and only those members of a group).
 */
final class SubscriptionEndpoints {

    private static final char SEPARATOR = '\u0000';

    private final AdminServices s;

    SubscriptionEndpoints(AdminServices services) {
        this.s = services;
    }

    List<Route> routes() {
        return List.of(Route.sync("GET", "/api/v1/subscriptions", "subscriptions.list",
                AdminPermission.SUBSCRIPTIONS_READ, false, this::list));
    }

    private HttpAnswer list(ApiRequest r) {
        r.allowQuery("client", "filter", "limit", "cursor");
        int limit = Paging.limit(r.query("limit"));
        String cursor = Paging.decode(r.query("cursor"));
        String client = r.query("client");
        String filter = r.query("filter");
        if (filter != null) {
            String problem = Topics.validateTopicFilter(filter, s.limits().maxTopicLength(), s.limits().maxTopicLevels());
            if (problem != null) {
                throw new ApiException(400, "filter: " + problem, List.of("filter"), null);
            }
        }
        String afterClient = null;
        String afterFilter = null;
        if (cursor != null) {
            int sep = cursor.indexOf(SEPARATOR);
            if (sep < 0) {
                throw ApiException.badRequest("cursor is not one this API handed out");
            }
            afterClient = cursor.substring(0, sep);
            afterFilter = cursor.substring(sep + 1);
        }
        List<Map<String, Object>> items = new ArrayList<>();
        String nextKey = null;
        int scanned = 0;
        Iterator<ClientSummary> it;
        if (client != null) {
            it = client.equals(afterClient) || afterClient == null || afterClient.compareTo(client) < 0
                    ? s.clients().from(client, true) : java.util.Collections.emptyIterator();
        } else {
            it = afterClient == null ? s.clients().from(null, false) : s.clients().from(afterClient, true);
        }
        outer:
        while (it.hasNext()) {
            ClientSummary c = it.next();
            if (client != null && !client.equals(c.clientId())) {
                break;
            }
            if (scanned >= ClientEndpoints.SCAN_BUDGET) {
                nextKey = c.clientId() + SEPARATOR;
                break;
            }
            scanned++;
            if (!r.mayOnClient(AdminPermission.SUBSCRIPTIONS_READ, c.clientId())) {
                continue;
            }
            List<SubscriptionView> subs = new ArrayList<>(s.clients().subscriptions(c.clientId()));
            subs.sort(Comparator.comparing(SubscriptionEndpoints::fullFilter));
            for (SubscriptionView v : subs) {
                String full = fullFilter(v);
                if (c.clientId().equals(afterClient) && afterFilter != null && full.compareTo(afterFilter) <= 0) {
                    continue;
                }
                if (filter != null && !filter.equals(full) && !filter.equals(v.filter())) {
                    continue;
                }
                if (items.size() == limit) {
                    break outer;
                }
                Map<String, Object> view = view(v);
                if (v.shareGroup() != null) {
                    view.put("groupMembers", s.clients().shareGroupMembers(v.shareGroup(), v.filter()).stream()
                            .filter(m -> r.mayOnClient(AdminPermission.SUBSCRIPTIONS_READ, m)).toList());
                }
                items.add(view);
                nextKey = c.clientId() + SEPARATOR + full;
            }
        }
        boolean full = items.size() == limit || nextKey != null && scanned >= ClientEndpoints.SCAN_BUDGET;
        return ApiJson.page(items, full ? nextKey : null);
    }

    private static String fullFilter(SubscriptionView v) {
        return v.shareGroup() == null ? v.filter() : "$share/" + v.shareGroup() + "/" + v.filter();
    }

    static Map<String, Object> view(SubscriptionView v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clientId", v.clientId());
        m.put("filter", v.filter());
        m.put("shareGroup", v.shareGroup());
        m.put("qos", v.qos());
        m.put("noLocal", v.noLocal());
        m.put("retainAsPublished", v.retainAsPublished());
        m.put("retainHandling", v.retainHandling());
        m.put("subscriptionIdentifier", v.subscriptionId() == 0 ? null : v.subscriptionId());
        return m;
    }
}
