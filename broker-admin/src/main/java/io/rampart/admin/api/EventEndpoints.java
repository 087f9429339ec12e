package io.rampart.admin.api;

import io.rampart.admin.AdminServices;
import io.rampart.admin.auth.AdminPrincipal;
import io.rampart.admin.auth.AdminSessions;
import io.rampart.admin.http.HttpAnswer;
import io.rampart.admin.live.AccessDecision;
import io.rampart.admin.net.Cidr;
import io.rampart.admin.rbac.AdminGrants;
import io.rampart.admin.rbac.AdminPermission;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * {@code /events/...}: the Control Center's live views as Server-Sent Events ({@code text/event-stream}): the
 * metrics sample, the access-log tail with filters, and client changes. Each stream shows only what the caller may
 * see (client scopes, addresses only with {@code data:address}) and ends with the caller's session.
 */
final class EventEndpoints {

    static final String PREFIX = ApiRouter.PREFIX + "/events/";
    private static final Set<String> ACTIONS = Set.of("CONNECT", "WILL", "PUBLISH", "SUBSCRIBE", "AUTH", "EXPIRED",
            "TLS");

    private final AdminServices s;

    EventEndpoints(AdminServices services) {
        this.s = services;
    }

    List<Route> routes() {
        return List.of(
                Route.sync("GET", "/api/v1/events/metrics", "events.metrics", AdminPermission.METRICS_READ, false,
                        this::metrics),
                Route.sync("GET", "/api/v1/events/access-log", "events.access-log", AdminPermission.CLIENTS_READ,
                        false, this::accessLog),
                Route.sync("GET", "/api/v1/events/clients", "events.clients", AdminPermission.CLIENTS_READ, false,
                        this::clients));
    }

    private HttpAnswer metrics(ApiRequest r) {
        r.allowQuery("interval");
        int interval = 1;
        if (r.query("interval") != null) {
            if (!r.query("interval").matches("[1-9]|10")) {
                throw new ApiException(400, "interval must be a whole number of seconds from 1 to 10",
                        List.of("interval"), null);
            }
            interval = Integer.parseInt(r.query("interval"));
        }
        admit(r);
        return HttpAnswer.events(s.live().metrics(r.principal(), alive(r), interval));
    }

    private HttpAnswer clients(ApiRequest r) {
        r.allowQuery();
        admit(r);
        AdminGrants grants = r.principal().grants();
        return HttpAnswer.events(s.live().clients(r.principal(), alive(r),
                id -> grants.forClient(AdminPermission.CLIENTS_READ, id).isPresent()));
    }

    private HttpAnswer accessLog(ApiRequest r) {
        r.allowQuery("client", "user", "address", "result", "action");
        Predicate<String> client = text(r.query("client"));
        Predicate<String> user = text(r.query("user"));
        String result = r.query("result") == null || r.query("result").isEmpty() ? null
                : r.query("result").toUpperCase(java.util.Locale.ROOT);
        if (result != null && !result.equals("ALLOWED") && !result.equals("DENIED")) {
            throw new ApiException(400, "result must be ALLOWED or DENIED", List.of("result"), null);
        }
        String action = r.query("action") == null || r.query("action").isEmpty() ? null
                : r.query("action").toUpperCase(java.util.Locale.ROOT);
        if (action != null && !ACTIONS.contains(action)) {
            throw new ApiException(400, "action must be one of " + String.join(", ", ACTIONS.stream().sorted().toList()),
                    List.of("action"), null);
        }
        Cidr network = null;
        if (r.query("address") != null && !r.query("address").isEmpty()) {
            r.require(AdminPermission.DATA_ADDRESS);
            try {
                network = Cidr.parse(r.query("address"));
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, "address: " + e.getMessage(), List.of("address"), null);
            }
        }
        AdminGrants grants = r.principal().grants();
        if (grants.any(AdminPermission.DATA_ADDRESS).isPresent()) {
            r.audit().sensitive().detail("live access log with client addresses");
        }
        admit(r);
        Cidr net = network;
        Function<AccessDecision, Object> view = d -> {
            boolean mayRead = d.client() == null ? grants.unscoped(AdminPermission.CLIENTS_READ).isPresent()
                    : grants.forClient(AdminPermission.CLIENTS_READ, d.client()).isPresent();
            if (!mayRead || action != null && !action.equals(d.action())
                    || result != null && d.allowed() != result.equals("ALLOWED")
                    || client != null && (d.client() == null || !client.test(d.client()))
                    || user != null && (d.user() == null || !user.test(d.user()))) {
                return null;
            }
            boolean address = d.client() == null ? grants.unscoped(AdminPermission.DATA_ADDRESS).isPresent()
                    : grants.forClient(AdminPermission.DATA_ADDRESS, d.client()).isPresent();
            if (net != null && (!address || d.address() == null || !net.contains(d.address()))) {
                return null;
            }
            return line(d, address);
        };
        return HttpAnswer.events(s.live().access(r.principal(), alive(r), view));
    }

    private static Map<String, Object> line(AccessDecision d, boolean address) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", d.time().toString());
        m.put("action", d.action());
        m.put("result", d.allowed() ? "ALLOWED" : "DENIED");
        m.put("kind", d.kind());
        m.put("listener", d.listener());
        m.put("address", address && d.address() != null ? d.address().getHostAddress() : null);
        m.put("port", address && d.port() >= 0 ? d.port() : null);
        m.put("client", d.client());
        m.put("user", d.user());
        m.put("identity", d.identity());
        m.put("topic", d.topic());
        m.put("qos", d.qos() < 0 ? null : d.qos());
        m.put("manager", d.manager());
        m.put("realm", d.realm());
        m.put("reason", d.reason());
        m.put("subject", d.subject());
        return m;
    }

    /** {@code *} as a wildcard, else a prefix; {@code null} for no filter. */
    private static Predicate<String> text(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (value.indexOf('*') >= 0) {
            Pattern p = ClientEndpoints.glob(value);
            return v -> p.matcher(v).matches();
        }
        return v -> v.startsWith(value);
    }

    private void admit(ApiRequest r) {
        if (!s.live().admits(r.principal())) {
            throw new ApiException(429, "too many live streams open (at most "
                    + io.rampart.admin.live.LiveHub.MAX_STREAMS_PER_CALLER + " per caller)");
        }
    }

    /** The stream lasts while the caller's session (or credential) does. */
    private BooleanSupplier alive(ApiRequest r) {
        AdminSessions.Session session = r.session();
        if (session != null) {
            AdminSessions sessions = s.authenticator().sessions();
            return () -> sessions.isLive(session);
        }
        AdminPrincipal p = r.principal();
        Instant expires = p.expiresAt();
        return () -> expires == null || s.clock().instant().isBefore(expires);
    }
}
