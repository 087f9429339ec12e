package io.rampart.admin.api;

import io.rampart.admin.AdminServices;
import io.rampart.admin.broker.ClientHistory.ClientEvent;
import io.rampart.admin.http.HttpAnswer;
import io.rampart.admin.rbac.AdminPermission;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /clients/{id}/events}: a client's recent events, newest first, scoped like {@code clients:read}
 * (a client outside the caller's scope answers 404 exactly like one without a history). Addresses appear only
 * with {@code data:address} for that client, and such a read is audited.
 */
final class ClientEventEndpoints {

    private final AdminServices s;

    ClientEventEndpoints(AdminServices services) {
        this.s = services;
    }

    List<Route> routes() {
        return List.of(Route.sync("GET", "/api/v1/clients/{id}/events", "clients.events", AdminPermission.CLIENTS_READ,
                false, this::events));
    }

    private HttpAnswer events(ApiRequest r) {
        r.allowQuery("limit");
        int limit = Paging.limit(r.query("limit"));
        String id = PathCodec.clientId(r.rawPathParam("id"));
        r.audit().target("client:" + id);
        boolean inScope = r.mayOnClient(AdminPermission.CLIENTS_READ, id);
        List<ClientEvent> events = inScope ? s.insights().history().events(id) : List.of();
        if (events.isEmpty()) {
            throw ApiException.notFound(s.insights().history().enabled() || !inScope ? "no events of client " + id
                    : "client event histories are off (insights.client-events.enabled: false)", !inScope);
        }
        boolean showAddress = r.mayOnClient(AdminPermission.DATA_ADDRESS, id);
        boolean shown = false;
        List<Map<String, Object>> items = new ArrayList<>();
        for (ClientEvent e : events) {
            if (items.size() == limit) {
                break;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("time", e.time().toString());
            m.put("type", e.type());
            if (showAddress && e.address() != null) {
                m.put("address", e.address().getAddress().getHostAddress());
                m.put("port", e.address().getPort());
                shown = true;
            }
            m.putAll(e.details());
            items.add(m);
        }
        if (shown) {
            r.audit().sensitive();
        }
        return ApiJson.page(items, null);
    }
}
