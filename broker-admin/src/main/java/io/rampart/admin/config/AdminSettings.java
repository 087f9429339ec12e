package io.rampart.admin.config;

import io.rampart.admin.rbac.RoleMapping;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The {@code admin:} section: how realm roles map to admin permissions, who may scrape {@code /metrics},
 * request limits, browser sessions, extra origins trusted for state-changing browser calls, the audit-log
 * format and the user created on first start.
 *
 * @param roles            realm role → admin grants
 * @param metricsAccess    who may read {@code /metrics} without credentials
 * @param limits           per-request limits of the admin listeners
 * @param sessions         browser sessions (cookie)
 * @param allowedOrigins   origins besides the listener's own that may make state-changing calls from a browser,
 *                         e.g. {@code https://console.example.com}; empty: only the listener's own
 * @param auditJson        JSON lines in {@code logs/audit.log} instead of key=value
 * @param initialAdmin     the user created with a random password on first start, or {@code null}
 * @param maxTokenLifetime longest expiry an API token may be given
 * @param oidc             single sign-on to the Control Center, or {@code null}
 * @throws IllegalArgumentException "key: reason" for an impossible value
 */
public record AdminSettings(RoleMapping roles, MetricsAccess metricsAccess, RequestLimits limits,
                            SessionSettings sessions, List<String> allowedOrigins, boolean auditJson,
                            InitialAdmin initialAdmin, Duration maxTokenLifetime, OidcSettings oidc) {

    public static final Duration DEFAULT_MAX_TOKEN_LIFETIME = Duration.ofDays(365);

    /** No roles mapped: nobody holds an admin permission. */
    public static final AdminSettings DEFAULTS = new AdminSettings(RoleMapping.EMPTY, MetricsAccess.LOOPBACK,
            RequestLimits.DEFAULTS, SessionSettings.DEFAULTS, List.of(), false, null, DEFAULT_MAX_TOKEN_LIFETIME, null);

    public AdminSettings {
        Objects.requireNonNull(roles, "roles");
        Objects.requireNonNull(metricsAccess, "metricsAccess");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(sessions, "sessions");
        allowedOrigins = List.copyOf(allowedOrigins);
        for (int i = 0; i < allowedOrigins.size(); i++) {
            String origin = allowedOrigins.get(i);
            if (!isOrigin(origin)) {
                throw new IllegalArgumentException("allowed-origins[" + i + "]: must be an origin such as"
                        + " https://console.example.com (scheme, host and optional port, no path) (was \"" + origin + "\")");
            }
        }
        allowedOrigins = allowedOrigins.stream().map(o -> o.toLowerCase(Locale.ROOT)).toList();
        if (maxTokenLifetime.isNegative() || maxTokenLifetime.isZero()) {
            throw new IllegalArgumentException("max-token-lifetime: must be positive");
        }
    }

    private static boolean isOrigin(String value) {
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme();
            return ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) && uri.getHost() != null
                    && (uri.getRawPath() == null || uri.getRawPath().isEmpty()) && uri.getRawQuery() == null
                    && uri.getRawFragment() == null && uri.getRawUserInfo() == null;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    /** Who may read {@code /metrics} without credentials; everyone else needs {@code metrics:read}. */
    public enum MetricsAccess {
        /** Requests from a loopback address (the default). */
        LOOPBACK,
        /** Anyone who reaches the listener. */
        ANYONE,
        /** Nobody: always {@code metrics:read}. */
        NOBODY
    }

    /**
     * The user {@code rampart} creates on first start in a file realm of the admin pipeline, when the realm's file
     * is missing or holds no users; its random password is printed once on the console.
     *
     * @param realm    a file realm
     * @param username the user name, e.g. {@code admin}
     * @param roles    its roles in that file (created there when missing), e.g. {@code admins}
     */
    public record InitialAdmin(String realm, String username, List<String> roles) {
        public InitialAdmin {
            Objects.requireNonNull(realm, "realm");
            if (username == null || username.isBlank() || !username.strip().equals(username)
                    || username.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("initial-admin.user: must be a user name without surrounding"
                        + " blanks or control characters");
            }
            roles = List.copyOf(roles);
        }
    }
}
