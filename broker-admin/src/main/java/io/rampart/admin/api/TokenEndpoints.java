package io.rampart.admin.api;

import io.rampart.admin.AdminServices;
import io.rampart.admin.auth.AdminAuthenticator;
import io.rampart.admin.config.Durations;
import io.rampart.admin.http.HttpAnswer;
import io.rampart.admin.net.Cidr;
import io.rampart.admin.rbac.AdminGrants;
import io.rampart.admin.rbac.AdminPermission;
import io.rampart.admin.token.ApiToken;
import io.rampart.admin.token.TokenStore;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /tokens}: list, create (the token is in the answer once and never again), revoke. A token's roles go
 * through {@code admin.roles} like a realm user's (or name a built-in template); its grants must be within its
 * creator's, so nobody hands out more than they hold.
 */
final class TokenEndpoints {

    static final Duration DEFAULT_LIFETIME = Duration.ofDays(90);
    private static final int MAX_DESCRIPTION = 256;

    private final AdminServices s;

    TokenEndpoints(AdminServices services) {
        this.s = services;
    }

    List<Route> routes() {
        return List.of(
                Route.sync("GET", "/api/v1/tokens", "tokens.list", AdminPermission.TOKENS_WRITE, false, this::list),
                Route.sync("POST", "/api/v1/tokens", "tokens.create", AdminPermission.TOKENS_WRITE, false, this::create),
                Route.sync("DELETE", "/api/v1/tokens/{id}", "tokens.delete", AdminPermission.TOKENS_WRITE, false,
                        this::revoke));
    }

    private HttpAnswer list(ApiRequest r) {
        r.allowQuery("limit", "cursor");
        int limit = Paging.limit(r.query("limit"));
        String after = Paging.decode(r.query("cursor"));
        List<Map<String, Object>> items = new ArrayList<>();
        String last = null;
        boolean more = false;
        for (ApiToken t : s.tokens().list()) {
            String key = t.createdAt() + "/" + t.id();
            if (after != null && key.compareTo(after) <= 0) {
                continue;
            }
            if (items.size() == limit) {
                more = true;
                break;
            }
            items.add(view(t));
            last = key;
        }
        return ApiJson.page(items, more ? last : null);
    }

    private HttpAnswer create(ApiRequest r) {
        r.allowQuery();
        JsonBody body = r.json().allow(List.of("roles", "expiresIn", "source", "description"));
        List<String> roles = body.strings("roles");
        if (roles.isEmpty()) {
            throw new ApiException(400, "roles must name at least one role", List.of("roles"), null);
        }
        for (String role : roles) {
            if (!s.settings().roles().knowsTokenRole(role)) {
                throw new ApiException(400, "role '" + role + "' is neither in admin.roles nor a built-in template",
                        List.of("roles"), null);
            }
        }
        Duration lifetime = DEFAULT_LIFETIME;
        if (body.string("expiresIn") != null) {
            try {
                lifetime = Durations.parse(body.string("expiresIn"));
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, "expiresIn " + e.getMessage(), List.of("expiresIn"), null);
            }
        }
        if (lifetime.isZero() || lifetime.compareTo(s.settings().maxTokenLifetime()) > 0) {
            throw new ApiException(400, "expiresIn must be positive and at most " + s.settings().maxTokenLifetime().toDays()
                    + " days (admin.max-token-lifetime)", List.of("expiresIn"), null);
        }
        Cidr source = null;
        if (body.string("source") != null) {
            try {
                source = Cidr.parse(body.string("source"));
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, "source " + e.getMessage(), List.of("source"), null);
            }
        }
        String description = body.string("description");
        if (description != null && (description.length() > MAX_DESCRIPTION
                || description.chars().anyMatch(Character::isISOControl))) {
            throw new ApiException(400, "description must be at most " + MAX_DESCRIPTION
                    + " characters without control characters", List.of("description"), null);
        }
        AdminGrants wanted = AdminGrants.compile(s.settings().roles().rulesForToken(roles, "new"),
                Map.of(AdminAuthenticator.USERNAME_VARIABLE, r.principal().name()));
        if (!wanted.within(r.principal().grants())) {
            throw new ApiException(403, "a token may not carry permissions its creator does not hold");
        }
        TokenStore.Issued issued;
        try {
            issued = s.tokens().create(roles, lifetime, source, description, r.principal().name());
        } catch (IOException e) {
            throw new ApiException(503, "the token could not be stored: " + e.getMessage());
        }
        Map<String, Object> out = view(issued.token());
        r.audit().target("token:" + issued.token().id()).change(null, ApiJson.text(out));
        out.put("token", issued.secret());
        return ApiJson.answer(201, out).with("Location", "/api/v1/tokens/" + issued.token().id());
    }

    private HttpAnswer revoke(ApiRequest r) {
        r.allowQuery();
        String id = PathCodec.decode(r.rawPathParam("id"));
        r.audit().target("token:" + id);
        ApiToken existing = s.tokens().get(id);
        if (existing == null) {
            throw ApiException.notFound("no token " + id, false);
        }
        try {
            if (!s.tokens().revoke(id)) {
                throw ApiException.notFound("no token " + id, false);
            }
        } catch (IOException e) {
            throw new ApiException(503, "the token could not be revoked: " + e.getMessage());
        }
        r.audit().change(ApiJson.text(view(existing)), null);
        return HttpAnswer.empty(204);
    }

    static Map<String, Object> view(ApiToken t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("roles", t.roles());
        m.put("description", t.description());
        m.put("createdBy", t.createdBy());
        m.put("createdAt", t.createdAt().toString());
        m.put("expiresAt", t.expiresAt().toString());
        m.put("source", t.source() == null ? null : t.source().toString());
        m.put("lastUsedAt", t.lastUsedAt() == null ? null : t.lastUsedAt().toString());
        return m;
    }
}
