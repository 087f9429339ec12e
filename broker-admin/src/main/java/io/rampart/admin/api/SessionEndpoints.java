package io.rampart.admin.api;

import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import io.rampart.admin.AdminServices;
import io.rampart.admin.auth.AdminAuthenticator;
import io.rampart.admin.auth.AdminPrincipal;
import io.rampart.admin.auth.AdminSessions;
import io.rampart.admin.auth.AuthMethod;
import io.rampart.admin.auth.AuthOutcome;
import io.rampart.admin.broker.PasswordChanges;
import io.rampart.admin.http.HttpAnswer;
import io.rampart.security.pipeline.SecurityPipeline;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The caller's own session: login and logout with the session cookie ({@code /session}), its password
 * ({@code /session/password}) and who it is ({@code /whoami}).
 */
final class SessionEndpoints {

    private static final Logger LOG = LogManager.getLogger(SessionEndpoints.class);
    static final int MIN_PASSWORD_LENGTH = 12;

    private final AdminServices s;
    private final ApiRouterAccess router;

    /** Reaches the pipeline of the listener a call came through. */
    interface ApiRouterAccess {
        SecurityPipeline pipeline(String listener);
    }

    SessionEndpoints(AdminServices services, ApiRouterAccess router) {
        this.s = services;
        this.router = router;
    }

    List<Route> routes() {
        return List.of(
                new Route("POST", "/api/v1/session", "session.login", null, true, this::login),
                Route.sync("GET", "/api/v1/session", "session.get", null, false, this::get),
                Route.sync("DELETE", "/api/v1/session", "session.logout", null, false, this::logout),
                new Route("PUT", "/api/v1/session/password", "session.password", null, false, this::password),
                Route.sync("GET", "/api/v1/whoami", "whoami", null, false, this::whoami),
                Route.sync("GET", "/api/v1/sign-in", "session.options", null, true, this::signInOptions));
    }

    private CompletionStage<HttpAnswer> login(ApiRequest r) {
        r.allowQuery();
        JsonBody body = r.json().allow(List.of("username", "password"));
        String user = body.requiredString("username");
        char[] password = body.secret("password");
        r.audit().target("user:" + user).actor(user, "session");
        CompletionStage<AuthOutcome> outcome;
        try {
            outcome = s.authenticator().password(r.call(), user, password, router.pipeline(r.call().listener()),
                    AuthMethod.SESSION);
        } finally {
            Arrays.fill(password, '\0');
        }
        return outcome.thenApply(result -> {
            if (result instanceof AuthOutcome.Failed failed) {
                r.audit().detail(failed.reason());
                throw new ApiException(failed.status(), failed.detail(), List.of(), "denied");
            }
            AuthOutcome.Authenticated ok = (AuthOutcome.Authenticated) result;
            if (ok.note() != null) {
                r.audit().detail(ok.note());
            }
            AdminSessions.Created created = s.authenticator().sessions().create(ok.principal());
            Map<String, Object> answer = sessionView(created.session(), created.session().principal());
            return ApiJson.answer(201, answer).with("Set-Cookie", cookie(created.id(), r.call().secure(), false));
        });
    }

    private HttpAnswer get(ApiRequest r) {
        r.allowQuery();
        AdminSessions.Session session = requireSession(r);
        return ApiJson.answer(200, sessionView(session, session.principal()));
    }

    private HttpAnswer logout(ApiRequest r) {
        r.allowQuery();
        AdminSessions.Session session = requireSession(r);
        s.authenticator().sessions().remove(AdminAuthenticator.sessionCookie(r.call()));
        r.audit().target("user:" + r.principal().name()).detail("session ended");
        String clear = cookie("", r.call().secure(), true);
        if (session.endSession() != null) {
            return ApiJson.answer(200, Map.of("endSessionUrl", session.endSession().toString()))
                    .with("Set-Cookie", clear);
        }
        return HttpAnswer.empty(204).with("Set-Cookie", clear);
    }

    /**
     * What the sign-in page needs before anyone signed in: whether the browser's session cookie is still good (the
     * check does not count as use) and whether single sign-on is offered.
     */
    private HttpAnswer signInOptions(ApiRequest r) {
        r.allowQuery();
        String id = AdminAuthenticator.sessionCookie(r.call());
        boolean signedIn = id != null && s.authenticator().sessions().find(id, false) != null;
        return ApiJson.answer(200, Map.of("signedIn", signedIn, "sso", s.settings().oidc() != null));
    }

    private CompletionStage<HttpAnswer> password(ApiRequest r) {
        r.allowQuery();
        AdminPrincipal p = r.principal();
        JsonBody body = r.json().allow(List.of("currentPassword", "newPassword"));
        r.audit().target("user:" + p.name());
        if (p.method() != AuthMethod.SESSION && p.method() != AuthMethod.BASIC || p.realm() == null) {
            throw new ApiException(409, "only a user who signed in with a password can change it here");
        }
        char[] current = body.secret("currentPassword");
        char[] next = body.secret("newPassword");
        if (next.length < MIN_PASSWORD_LENGTH || Arrays.equals(current, next)) {
            Arrays.fill(current, '\0');
            Arrays.fill(next, '\0');
            throw new ApiException(400, "the new password must have at least " + MIN_PASSWORD_LENGTH
                    + " characters and differ from the current one", List.of("newPassword"), null);
        }
        CompletionStage<AuthOutcome> check;
        try {
            check = s.authenticator().password(r.call(), p.name(), current, router.pipeline(r.call().listener()),
                    p.method());
        } finally {
            Arrays.fill(current, '\0');
        }
        return check.thenApply(result -> {
            try {
                if (!(result instanceof AuthOutcome.Authenticated ok) || !p.name().equals(ok.principal().name())) {
                    throw new ApiException(403, "the current password is not correct", List.of("currentPassword"),
                            "denied");
                }
                s.passwords().get().change(p.realm(), p.name(), next);
            } catch (PasswordChanges.Refused e) {
                throw new ApiException(409, e.getMessage());
            } finally {
                Arrays.fill(next, '\0');
            }
            try {
                s.passwordFlags().set(p.realm(), p.name(), false);
            } catch (IOException e) {
                LOG.warn("password of '{}' changed, but its must-change flag could not be cleared: {}", p.name(),
                        e.getMessage());
            }
            s.authenticator().sessions().removeAllOf(p.name(), p.realm(), r.session());
            r.audit().detail("password changed; other sessions of the user ended");
            return HttpAnswer.empty(204);
        });
    }

    private HttpAnswer whoami(ApiRequest r) {
        r.allowQuery();
        Map<String, Object> out = Views.identity(r.principal());
        out.put("mustChangePassword", mustChange(r.principal()));
        return ApiJson.answer(200, out);
    }

    private AdminSessions.Session requireSession(ApiRequest r) {
        if (r.session() == null) {
            throw new ApiException(404, "this call did not come with a browser session (use POST /api/v1/session)");
        }
        return r.session();
    }

    private Map<String, Object> sessionView(AdminSessions.Session session, AdminPrincipal principal) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("user", Views.identity(principal));
        out.put("csrfToken", session.csrfToken());
        out.put("csrfHeader", AdminSessions.CSRF_HEADER);
        out.put("createdAt", session.createdAt().toString());
        out.put("expiresAt", s.authenticator().sessions().expiresAt(session).toString());
        out.put("mustChangePassword", mustChange(principal));
        out.put("idleTimeoutSeconds", s.authenticator().sessions().settings().idleTimeout().toSeconds());
        return out;
    }

    private boolean mustChange(AdminPrincipal p) {
        return p.realm() != null && s.passwordFlags().mustChange(p.realm(), p.name());
    }

    static String cookie(String value, boolean secure, boolean expire) {
        DefaultCookie c = new DefaultCookie(secure ? AdminSessions.SECURE_COOKIE : AdminSessions.PLAIN_COOKIE, value);
        c.setPath("/");
        c.setHttpOnly(true);
        c.setSecure(secure);
        c.setSameSite(io.netty.handler.codec.http.cookie.CookieHeaderNames.SameSite.Strict);
        if (expire) {
            c.setMaxAge(0);
        }
        return ServerCookieEncoder.STRICT.encode(c);
    }
}
