package io.rampart.admin.api;

import io.rampart.admin.AdminServices;
import io.rampart.admin.broker.BrokerControl;
import io.rampart.admin.http.HttpAnswer;
import io.rampart.admin.rbac.AdminPermission;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /config} (the configuration in force, secrets redacted), {@code POST /config/validate} (a YAML body
 * checked exactly as at startup, errors with key paths) and {@code POST /reload} (realms, TLS material, bans,
 * tokens).
 */
final class ConfigEndpoints {

    private final AdminServices s;

    ConfigEndpoints(AdminServices services) {
        this.s = services;
    }

    List<Route> routes() {
        return List.of(
                Route.sync("GET", "/api/v1/config", "config.get", AdminPermission.CONFIG_READ, false, this::get),
                Route.sync("POST", "/api/v1/config/validate", "config.validate", AdminPermission.CONFIG_READ, false,
                        this::validate),
                Route.sync("POST", "/api/v1/reload", "config.reload", AdminPermission.CONFIG_RELOAD, false, this::reload));
    }

    private HttpAnswer get(ApiRequest r) {
        r.allowQuery();
        return ApiJson.answer(200, s.control().effectiveConfiguration());
    }

    private HttpAnswer validate(ApiRequest r) {
        r.allowQuery();
        String yaml = r.text("application/yaml", "application/x-yaml", "text/yaml");
        BrokerControl.Validation v = s.control().validate(yaml);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("valid", v.valid());
        List<Map<String, Object>> errors = new ArrayList<>();
        if (!v.valid()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("keyPath", v.keyPath());
            e.put("reason", v.reason());
            errors.add(e);
        }
        out.put("errors", errors);
        r.audit().detail(v.valid() ? "valid" : "invalid at " + (v.keyPath().isEmpty() ? "(file)" : v.keyPath()));
        return ApiJson.answer(200, out);
    }

    private HttpAnswer reload(ApiRequest r) {
        r.allowQuery();
        List<Map<String, Object>> steps = new ArrayList<>();
        for (BrokerControl.ReloadStep step : s.control().reload()) {
            steps.add(step(step.kind(), step.name(), step.outcome(), step.detail()));
        }
        try {
            steps.add(step("bans", s.bans().path().getFileName().toString(),
                    s.bans().reloadIfChanged() ? "reloaded" : "unchanged", null));
        } catch (IOException e) {
            steps.add(step("bans", s.bans().path().getFileName().toString(), "failed", e.getMessage()));
        }
        steps.add(step("tokens", s.tokens().path().getFileName().toString(),
                s.tokens().reloadIfChanged() ? "reloaded" : "unchanged", null));
        boolean failed = steps.stream().anyMatch(st -> "failed".equals(st.get("outcome")));
        r.audit().target("broker").detail(steps.size() + " item(s), " + (failed ? "some failed" : "none failed"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("steps", steps);
        return ApiJson.answer(200, out);
    }

    private static Map<String, Object> step(String kind, String name, String outcome, String detail) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", kind);
        m.put("name", name);
        m.put("outcome", outcome);
        m.put("detail", detail);
        return m;
    }
}
