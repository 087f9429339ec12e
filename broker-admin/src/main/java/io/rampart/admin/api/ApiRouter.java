package io.rampart.admin.api;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.rampart.admin.audit.AuditEvent;
import io.rampart.admin.audit.AuditLog;
import io.rampart.admin.auth.AdminAuthenticator;
import io.rampart.admin.auth.AdminPrincipal;
import io.rampart.admin.auth.AdminSessions;
import io.rampart.admin.auth.AuthOutcome;
import io.rampart.admin.http.HttpAnswer;
import io.rampart.admin.http.HttpCall;
import io.rampart.admin.http.Problem;
import io.rampart.security.pipeline.SecurityPipeline;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The API's route table and the steps every call goes through: route (404, 405), authentication (401 with
 * {@code WWW-Authenticate}), CSRF defence for state-changing calls (a foreign {@code Origin} is refused; with the
 * session cookie the session's token must come in {@code X-Rampart-CSRF}), the route's permission (403 naming it),
 * the handler, and the audit line: for every state-changing call, every denied call and every sensitive read.
 */
public final class ApiRouter {

    public static final String PREFIX = "/api/v1";
    static final String CHALLENGE_BASIC = "Basic realm=\"rampart-admin\", charset=\"UTF-8\"";
    static final String CHALLENGE_BEARER = "Bearer realm=\"rampart-admin\"";
    private static final Logger LOG = LogManager.getLogger(ApiRouter.class);
    private static final Set<String> READS = Set.of("GET", "HEAD");
    /** Refreshes the Control Center makes by itself send this: they do not keep the session from going idle. */
    public static final String BACKGROUND_HEADER = "X-Rampart-Background";
    /** On answers to calls with the session cookie: when the session ends unless used again. */
    public static final String SESSION_EXPIRES_HEADER = "X-Rampart-Session-Expires";
    private static final Set<String> PASSWORD_CHANGE_ACTIONS = Set.of("session.get", "session.logout",
            "session.password", "whoami");

    private final List<Route> routes;
    private final AdminAuthenticator authenticator;
    private final AuditLog audit;
    private final List<String> allowedOrigins;
    private final Function<String, SecurityPipeline> pipelines;
    private final Executor worker;
    private final Clock clock;
    private final Predicate<AdminPrincipal> mustChangePassword;

    /**
     * @param mustChangePassword whether a caller must change its password before anything else (the first-run
     *                           user): until then it may only use its session, change the password and ask who it is
     */
    public ApiRouter(List<Route> routes, AdminAuthenticator authenticator, AuditLog audit, List<String> allowedOrigins,
                     Function<String, SecurityPipeline> pipelines, Executor worker, Clock clock,
                     Predicate<AdminPrincipal> mustChangePassword) {
        this.mustChangePassword = mustChangePassword;
        this.routes = List.copyOf(routes);
        this.authenticator = authenticator;
        this.audit = audit;
        this.allowedOrigins = List.copyOf(allowedOrigins);
        this.pipelines = pipelines;
        this.worker = worker;
        this.clock = clock;
    }

    public CompletionStage<HttpAnswer> handle(HttpCall call, String rawPath, String rawQuery) {
        String method = call.method();
        Route route = null;
        Map<String, String> params = null;
        Set<String> allowed = new LinkedHashSet<>();
        for (Route r : routes) {
            Map<String, String> p = r.match(rawPath);
            if (p == null) {
                continue;
            }
            allowed.add(r.method());
            if (r.method().equals(method) || ("HEAD".equals(method) && "GET".equals(r.method()))) {
                route = r;
                params = p;
                break;
            }
        }
        if (route == null) {
            if (allowed.isEmpty()) {
                return done(Problem.of(404, "no such operation: " + method + " " + rawPath, call.requestId()));
            }
            if (allowed.contains("GET")) {
                allowed.add("HEAD");
            }
            return done(Problem.of(405, "method " + method + " is not allowed here (allowed: "
                    + String.join(", ", allowed) + ")", call.requestId()).with("Allow", String.join(", ", allowed)));
        }
        Map<String, String> query;
        try {
            query = parseQuery(rawQuery);
        } catch (ApiException e) {
            return done(problem(e, call));
        }
        Route r = route;
        Map<String, String> p = params;
        if (r.open()) {
            ApiRequest request = new ApiRequest(call, null, null, p, query);
            String refusal = isRead(method) ? null : originProblem(call);
            if (refusal != null) {
                return done(finish(r, request, problem(new ApiException(403, refusal), call), "denied"));
            }
            return CompletableFuture.supplyAsync(() -> run(r, request), worker).thenCompose(x -> x);
        }
        boolean touch = !rawPath.startsWith(EventEndpoints.PREFIX) && !"1".equals(call.headers().get(BACKGROUND_HEADER));
        return authenticator.authenticate(call, pipelines.apply(call.listener()), touch).thenComposeAsync(outcome -> {
            if (outcome instanceof AuthOutcome.Failed failed) {
                return done(unauthenticated(r, call, failed));
            }
            AuthOutcome.Authenticated ok = (AuthOutcome.Authenticated) outcome;
            ApiRequest request = new ApiRequest(call, ok.principal(), ok.session(), p, query);
            if (ok.note() != null) {
                request.audit().detail(ok.note());
            }
            if (!isRead(method)) {
                String refusal = csrfProblem(call, ok.session());
                if (refusal != null) {
                    return done(finish(r, request, problem(new ApiException(403, refusal), call), "denied"));
                }
            }
            if (!PASSWORD_CHANGE_ACTIONS.contains(r.action()) && mustChangePassword.test(ok.principal())) {
                return done(finish(r, request, problem(new ApiException(403, "the password of " + ok.principal().name()
                        + " must be changed first (PUT " + PREFIX + "/session/password)"), call), "denied"));
            }
            if (r.permission() != null && ok.principal().grants().any(r.permission()).isEmpty()) {
                return done(finish(r, request, problem(ApiRequest.forbidden(r.permission()), call), "denied"));
            }
            if (ok.session() == null) {
                return run(r, request);
            }
            return run(r, request).thenApply(answer -> withSessionExpiry(answer, ok.session()));
        }, worker);
    }

    /** A browser learns from every answer when its session ends unless used again (the idle warning). */
    private HttpAnswer withSessionExpiry(HttpAnswer answer, AdminSessions.Session session) {
        if (!authenticator.sessions().isLive(session)) {
            return answer;
        }
        return answer.with(SESSION_EXPIRES_HEADER, authenticator.sessions().expiresAt(session).toString());
    }

    private CompletionStage<HttpAnswer> run(Route route, ApiRequest request) {
        CompletionStage<HttpAnswer> stage;
        try {
            stage = route.handler().handle(request);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return stage.handle((answer, error) -> {
            if (error == null) {
                return finish(route, request, answer, null);
            }
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (cause instanceof ApiException e) {
                return finish(route, request, problem(e, request.call()), e.auditResult());
            }
            LOG.error("admin {} {} failed (request id {})", route.method(), route.template(),
                    request.call().requestId(), cause);
            return finish(route, request, Problem.of(500, "the request failed; the broker log has details under"
                    + " request id " + request.call().requestId(), request.call().requestId()), null);
        });
    }

    private HttpAnswer unauthenticated(Route route, HttpCall call, AuthOutcome.Failed failed) {
        HttpAnswer answer = Problem.of(failed.status(), failed.detail(), call.requestId());
        if (failed.status() == 401) {
            answer = answer.with("WWW-Authenticate", CHALLENGE_BASIC).with("WWW-Authenticate", CHALLENGE_BEARER);
        }
        String result = failed.status() == 401 ? "denied" : "failed";
        audit.record(new AuditEvent(clock.instant(), failed.user() == null ? "-" : failed.user(),
                failed.method() == null ? "-" : failed.method().id(), failed.tokenId(), call.address(), route.action(),
                null, result, failed.status(), call.requestId(), failed.reason(), null, null));
        return answer;
    }

    /** Writes the audit line when the call changed something, was denied, or read sensitive data. */
    private HttpAnswer finish(Route route, ApiRequest request, HttpAnswer answer, String auditResult) {
        int status = answer.status();
        AuditNote n = request.audit();
        boolean denied = status == 401 || status == 403 || "denied".equals(auditResult) || n.isDenied();
        if (!isRead(request.call().method()) || denied || n.isSensitive() || n.isRecorded()) {
            AdminPrincipal p = request.principal();
            String result = denied ? "denied" : status < 400 ? "success" : "failed";
            String detail = n.detail();
            if (status >= 400) {
                String problemDetail = problemDetail(answer);
                detail = detail == null ? problemDetail : detail + "; " + problemDetail;
            }
            audit.record(new AuditEvent(clock.instant(), p != null ? p.name() : n.actor() != null ? n.actor() : "-",
                    p != null ? p.method().id() : n.method() != null ? n.method() : "-", p == null ? null : p.tokenId(),
                    request.call().address(),
                    route.action(), n.target(), result, status, request.call().requestId(), detail,
                    status < 400 ? n.before() : null, status < 400 ? n.after() : null));
        }
        return answer;
    }

    private static String problemDetail(HttpAnswer answer) {
        String body = new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8);
        int at = body.indexOf("\"detail\":");
        if (at < 0) {
            return null;
        }
        try {
            return JsonBody.MAPPER.readTree(body).path("detail").asText(null);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /**
     * A state-changing call from a browser must come from the listener's own origin or an allowed one; with the
     * session cookie it must also carry the session's CSRF token (a header no cross-site form can set).
     */
    private String csrfProblem(HttpCall call, AdminSessions.Session session) {
        String origin = originProblem(call);
        if (origin != null) {
            return origin;
        }
        if (session != null && !session.csrfMatches(call.headers().get(AdminSessions.CSRF_HEADER))) {
            return "a state-changing call with the session cookie needs the session's token in the "
                    + AdminSessions.CSRF_HEADER + " header";
        }
        return null;
    }

    private String originProblem(HttpCall call) {
        String origin = call.headers().get(HttpHeaderNames.ORIGIN);
        if (origin == null) {
            return null;
        }
        String o = origin.strip().toLowerCase(Locale.ROOT);
        String host = call.headers().get(HttpHeaderNames.HOST);
        String own = host == null ? null : (call.secure() ? "https://" : "http://") + host.strip().toLowerCase(Locale.ROOT);
        if (o.equals(own) || allowedOrigins.contains(o)) {
            return null;
        }
        return "cross-origin request from " + (origin.length() > 100 ? origin.substring(0, 100) : origin)
                + " refused";
    }

    private static boolean isRead(String method) {
        return READS.contains(method);
    }

    private static HttpAnswer problem(ApiException e, HttpCall call) {
        return Problem.of(e.status(), e.getMessage(), call.requestId(), e.fields());
    }

    private static CompletionStage<HttpAnswer> done(HttpAnswer answer) {
        return CompletableFuture.completedFuture(answer);
    }

    /** Query parameters decoded once each; {@code +} stays {@code +}; a repeated parameter is an error. */
    static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        List<String> repeated = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = PathCodec.decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : PathCodec.decode(pair.substring(eq + 1));
            if (out.put(name, value) != null) {
                repeated.add(name);
            }
        }
        if (!repeated.isEmpty()) {
            throw new ApiException(400, "query parameter given more than once: " + String.join(", ", repeated),
                    repeated, null);
        }
        return out;
    }
}
