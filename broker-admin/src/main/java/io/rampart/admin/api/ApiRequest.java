package io.rampart.admin.api;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.rampart.admin.auth.AdminPrincipal;
import io.rampart.admin.auth.AdminSessions;
import io.rampart.admin.http.HttpCall;
import io.rampart.admin.rbac.AdminPermission;
import io.rampart.admin.rbac.Grant;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** One API call as a handler sees it: the caller, path and query parameters, the body, and its audit note. */
public final class ApiRequest {

    private final HttpCall call;
    private final AdminPrincipal principal;
    private final AdminSessions.Session session;
    private final Map<String, String> pathParams;
    private final Map<String, String> query;
    private final AuditNote audit = new AuditNote();

    ApiRequest(HttpCall call, AdminPrincipal principal, AdminSessions.Session session, Map<String, String> pathParams,
               Map<String, String> query) {
        this.call = call;
        this.principal = principal;
        this.session = session;
        this.pathParams = pathParams;
        this.query = query;
    }

    public HttpCall call() {
        return call;
    }

    /** The caller; {@code null} only on open routes. */
    public AdminPrincipal principal() {
        return principal;
    }

    /** The browser session the call came with, or {@code null}. */
    public AdminSessions.Session session() {
        return session;
    }

    public AuditNote audit() {
        return audit;
    }

    public InetAddress remoteAddress() {
        return call.remote() == null ? null : call.remote().getAddress();
    }

    /** A path parameter, undecoded (decode with {@link PathCodec}). */
    public String rawPathParam(String name) {
        return pathParams.get(name);
    }

    /** Refuses query parameters other than {@code allowed}, naming them. */
    public ApiRequest allowQuery(String... allowed) {
        List<String> ok = Arrays.asList(allowed);
        List<String> unknown = new ArrayList<>();
        for (String name : query.keySet()) {
            if (!ok.contains(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new ApiException(400, "unknown query parameter" + (unknown.size() == 1 ? " " : "s ")
                    + String.join(", ", unknown) + (ok.isEmpty() ? " (this operation takes none)"
                    : " (allowed: " + String.join(", ", ok) + ")"), unknown, null);
        }
        return this;
    }

    /** A query parameter (decoded once, {@code +} kept as is), or {@code null}. */
    public String query(String name) {
        return query.get(name);
    }

    /** The body as JSON; 415 unless the request says {@code application/json}. */
    public JsonBody json() {
        requireContentType("application/json");
        return JsonBody.parse(call.body());
    }

    /** The body as text of one of the given media types; 415 otherwise. */
    public String text(String... mediaTypes) {
        requireContentType(mediaTypes);
        return new String(call.body(), StandardCharsets.UTF_8);
    }

    private void requireContentType(String... accepted) {
        String header = call.headers().get(HttpHeaderNames.CONTENT_TYPE);
        String type = header == null ? "" : header.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        for (String a : accepted) {
            if (a.equals(type)) {
                return;
            }
        }
        throw new ApiException(415, "the body must be " + String.join(" or ", accepted)
                + (header == null ? " (no Content-Type was given)" : " (Content-Type was " + type + ")"));
    }

    /** The grant holding {@code permission} at all; else 403 naming it. */
    public Grant require(AdminPermission permission) {
        return principal.grants().any(permission).orElseThrow(() -> forbidden(permission));
    }

    /** Whether the caller holds {@code permission} for client {@code clientId}. */
    public boolean mayOnClient(AdminPermission permission, String clientId) {
        return principal.grants().forClient(permission, clientId).isPresent();
    }

    /** Whether the caller holds {@code permission} for topic {@code topic}. */
    public boolean mayOnTopic(AdminPermission permission, String topic) {
        return principal.grants().forTopic(permission, topic).isPresent();
    }

    static ApiException forbidden(AdminPermission permission) {
        return new ApiException(403, "missing permission " + permission.id());
    }
}
