package io.rampart.admin.api;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import io.rampart.admin.AdminServices;
import io.rampart.admin.auth.AdminPrincipal;
import io.rampart.admin.auth.AdminSessions;
import io.rampart.admin.http.HttpAnswer;
import io.rampart.admin.http.HttpCall;
import io.rampart.admin.oidc.OidcLogin;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Single sign-on to the Control Center through the OpenID Connect provider of {@code admin.oidc}:
 * {@code /oidc/login} sends the browser to the provider (authorization code flow with PKCE, {@code state} and
 * {@code nonce}); {@code /oidc/callback} completes it, creates the browser session exactly as a password sign-in does
 * and sends the browser to the Control Center. A refused callback creates nothing and sends the browser to the
 * sign-in page with the reason; the audit log records both.
 */
final class OidcEndpoints {

    /** Binds a started sign-in to the browser that started it; {@code Lax}, so it comes back with the provider's redirect. */
    static final String BINDING_COOKIE = "rampart-oidc";
    static final String CALLBACK = "/api/v1/oidc/callback";

    private final AdminServices s;
    private final OidcLogin login;

    OidcEndpoints(AdminServices services) {
        this.s = services;
        this.login = services == null || services.settings().oidc() == null ? null
                : new OidcLogin(services.settings().oidc(), services.clock());
    }

    List<Route> routes() {
        return List.of(
                Route.sync("GET", "/api/v1/oidc/login", "session.oidc-start", null, true, this::start),
                Route.sync("GET", CALLBACK, "session.oidc-login", null, true, this::callback));
    }

    private HttpAnswer start(ApiRequest r) {
        r.allowQuery();
        if (login == null) {
            throw new ApiException(404, "single sign-on is not configured (admin.oidc)");
        }
        try {
            OidcLogin.Start start = login.start(ownCallback(r.call()));
            return HttpAnswer.empty(303).with("Location", start.location().toString())
                    .with("Set-Cookie", binding(start.state(), r.call().secure(), false));
        } catch (OidcLogin.Refused e) {
            r.audit().denied().detail(e.getMessage());
            return backToSignIn(e.code());
        }
    }

    private HttpAnswer callback(ApiRequest r) {
        r.allowQuery("code", "state", "error", "error_description", "session_state", "iss");
        if (login == null) {
            throw new ApiException(404, "single sign-on is not configured (admin.oidc)");
        }
        r.audit().actor("-", "oidc");
        HttpAnswer clear = HttpAnswer.empty(303);
        if (r.query("error") != null) {
            r.audit().denied().detail("the identity provider refused the sign-in: " + printable(r.query("error")));
            return backToSignIn("provider").with("Set-Cookie", binding("", r.call().secure(), true));
        }
        OidcLogin.SignedIn who;
        try {
            who = login.finish(r.query("code"), r.query("state"), boundState(r.call()));
        } catch (OidcLogin.Refused e) {
            r.audit().denied().detail("single sign-on refused: " + e.getMessage());
            return backToSignIn(e.code()).with("Set-Cookie", binding("", r.call().secure(), true));
        }
        AdminPrincipal principal = s.authenticator().oidcPrincipal(who.name(), who.subject(), who.roles());
        AdminSessions.Created created = s.authenticator().sessions().create(principal, who.endSession());
        r.audit().actor(who.name(), "oidc").target("user:" + who.name()).recorded()
                .detail("signed in through " + login.settings().issuer() + " (sub " + who.subject() + ", roles "
                        + String.join(",", who.roles()) + ")");
        return clear.with("Location", "/#/overview")
                .with("Set-Cookie", SessionEndpoints.cookie(created.id(), r.call().secure(), false))
                .with("Set-Cookie", binding("", r.call().secure(), true));
    }

    private static HttpAnswer backToSignIn(String code) {
        return HttpAnswer.empty(303).with("Location", "/#/sign-in?error="
                + URLEncoder.encode(code, StandardCharsets.UTF_8));
    }

    private static URI ownCallback(HttpCall call) {
        String host = call.headers().get(HttpHeaderNames.HOST);
        if (host == null || !host.matches("[A-Za-z0-9.\\-]+(:\\d{1,5})?|\\[[0-9A-Fa-f:.]+](:\\d{1,5})?")) {
            throw new ApiException(400, "the request names no usable Host; set admin.oidc.redirect-uri");
        }
        return URI.create((call.secure() ? "https://" : "http://") + host + CALLBACK);
    }

    private static String boundState(HttpCall call) {
        String header = call.headers().get(HttpHeaderNames.COOKIE);
        if (header == null) {
            return null;
        }
        for (Cookie c : ServerCookieDecoder.STRICT.decode(header)) {
            if (c.name().equals(BINDING_COOKIE)) {
                return c.value();
            }
        }
        return null;
    }

    private static String binding(String state, boolean secure, boolean expire) {
        DefaultCookie c = new DefaultCookie(BINDING_COOKIE, state);
        c.setPath("/api/v1/oidc");
        c.setHttpOnly(true);
        c.setSecure(secure);
        c.setSameSite(CookieHeaderNames.SameSite.Lax);
        c.setMaxAge(expire ? 0 : OidcLogin.LOGIN_TIMEOUT.toSeconds());
        return ServerCookieEncoder.STRICT.encode(c);
    }

    private static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
