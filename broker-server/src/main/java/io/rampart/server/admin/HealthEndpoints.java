package io.rampart.server.admin;

import java.util.List;
import java.util.function.Supplier;

/**
 * {@code /health/live}: the process answers HTTP (200 while the admin listener is up).
 * {@code /health/ready}: 200 when every listener is bound and every realm can serve requests; otherwise
 * 503 with the reasons, e.g. {@code {"status":"DOWN","reasons":["starting: listeners not bound yet"]}}.
 */
public final class HealthEndpoints {

    private HealthEndpoints() {
    }

    public static AdminEndpoint live() {
        return request -> AdminResponse.json(200, "{\"status\":\"UP\"}");
    }

    /** @param problems why the broker is not ready; empty when it is */
    public static AdminEndpoint ready(Supplier<List<String>> problems) {
        return request -> {
            List<String> reasons = problems.get();
            if (reasons.isEmpty()) {
                return AdminResponse.json(200, "{\"status\":\"UP\"}");
            }
            return AdminResponse.json(503, "{\"status\":\"DOWN\",\"reasons\":" + Json.array(reasons) + "}");
        };
    }
}
