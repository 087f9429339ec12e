package io.rampart.server.config;

import io.rampart.security.permission.Permission;
import io.rampart.security.realm.jwt.JwtRealm;
import io.rampart.security.realm.jwt.JwtRealmSettings;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Maps a realm of type {@code jwt} onto its settings and opener; see docs/JWT-REALM.md. */
final class JwtRealmSection {

    static final List<String> KEYS = List.of("name", "type", "token-source", "auth-method", "token-variable",
            "algorithms", "jwks", "issuer", "discovery", "keys", "secrets", "audience", "required-claims", "clock-skew", "max-lifetime",
            "identity-claim", "client-id-claim", "roles-claim", "scope-permissions", "expiry-grace", "introspection",
            "role-limits");
    private static final List<String> JWKS_KEYS = List.of("url", "trust", "trust-password", "refresh",
            "min-refetch-interval", "timeout");
    static final List<String> INTROSPECTION_KEYS = List.of("url", "client-id", "client-secret", "trust",
            "trust-password", "cache-ttl", "timeout");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h)?");
    private static final Pattern CLAIM_PATH = Pattern.compile("[A-Za-z0-9_:/-]+(\\.[A-Za-z0-9_:/-]+)*");

    private JwtRealmSection() {
    }

    static SecurityConfig.Realm read(ConfigNode realm, Path dataDir) throws ConfigException {
        realm.requireKeys(KEYS);
        String name = realm.get("name").string();
        ConfigNode sourceNode = realm.get("token-source");
        String sourceText = sourceNode.string("password");
        JwtRealmSettings.TokenSource source = switch (sourceText) {
            case "password" -> JwtRealmSettings.TokenSource.PASSWORD;
            case "username" -> JwtRealmSettings.TokenSource.USERNAME;
            case "auth-method" -> JwtRealmSettings.TokenSource.AUTH_METHOD;
            case "variable" -> JwtRealmSettings.TokenSource.VARIABLE;
            default -> throw sourceNode.error("must be one of password, username, auth-method, variable (was \""
                    + sourceText + "\")");
        };
        Set<String> algorithms = new LinkedHashSet<>(strings(realm.get("algorithms")));
        if (algorithms.stream().anyMatch(a -> a.equalsIgnoreCase("none"))) {
            throw realm.get("algorithms").error("must not contain 'none': unsigned tokens are never accepted");
        }
        JwtRealmSettings.Jwks jwks = jwks(realm.get("jwks"));
        List<Path> keys = new ArrayList<>();
        for (ConfigNode k : list(realm.get("keys"))) {
            keys.add(path(k));
        }
        List<String> secrets = new ArrayList<>();
        for (ConfigNode s : list(realm.get("secrets"))) {
            secrets.add(s.string());
        }
        Map<String, List<String>> required = new LinkedHashMap<>();
        ConfigNode requiredNode = realm.get("required-claims");
        if (!requiredNode.isAbsentOrNull()) {
            requiredNode.requireKeys(null);
            for (String claim : requiredNode.keys()) {
                ConfigNode v = requiredNode.get(claim);
                if (!CLAIM_PATH.matcher(claim).matches()) {
                    throw v.error("is not a claim path (names joined by '.')");
                }
                required.put(claim, v.isAbsentOrNull() ? List.of() : strings(v));
            }
        }
        Map<String, List<Permission>> scopes = new LinkedHashMap<>();
        ConfigNode scopesNode = realm.get("scope-permissions");
        if (!scopesNode.isAbsentOrNull()) {
            scopesNode.requireKeys(null);
            for (String scope : scopesNode.keys()) {
                scopes.put(scope, SecuritySection.permissions(scopesNode.get(scope), name, "scope '" + scope + "'"));
            }
        }
        JwtRealmSettings settings;
        try {
            settings = new JwtRealmSettings(name, source, realm.get("auth-method").string(null),
                    realm.get("token-variable").string(null), algorithms, jwks,
                    realm.get("issuer").string(null), realm.get("discovery").booleanValue(false), keys, secrets,
                    strings(realm.get("audience")), required, duration(realm.get("clock-skew"), null),
                    duration(realm.get("max-lifetime"), null), claimPath(realm.get("identity-claim")),
                    claimPath(realm.get("client-id-claim")), claimPath(realm.get("roles-claim")), scopes,
                    duration(realm.get("expiry-grace"), null), introspection(realm.get("introspection")),
                    LimitsSection.readRoles(realm.get("role-limits")));
        } catch (IllegalArgumentException e) {
            throw realm.invalid(e);
        }
        return new SecurityConfig.Realm(name, "jwt", settings, timers -> new JwtRealm(settings, timers));
    }

    /** An authentication manager of type {@code jwt} bound to a jwt realm. */
    static SecurityConfig.Manager manager(ConfigNode node, Map<String, String> realms) throws ConfigException {
        node.requireKeys(List.of("type", "name", "realm"));
        String realm = SecuritySection.realmRef(node.get("realm"), realms);
        if (!realms.get(realm).equals("jwt")) {
            throw node.get("realm").error("realm '" + realm + "' is a " + realms.get(realm)
                    + " realm: a jwt manager needs a realm of type jwt");
        }
        return new SecurityConfig.Manager("jwt", node.get("name").string("jwt-" + realm), realm, List.of(), null, Map.of());
    }

    private static JwtRealmSettings.Jwks jwks(ConfigNode node) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return null;
        }
        node.requireKeys(JWKS_KEYS);
        URI url = null;
        ConfigNode urlNode = node.get("url");
        if (!urlNode.isAbsentOrNull()) {
            try {
                url = new URI(urlNode.string());
            } catch (URISyntaxException e) {
                throw urlNode.error("is not a valid URL (" + e.getReason() + ")");
            }
            if (!"https".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
                throw urlNode.error("must be an https:// URL with a host (keys are never fetched over plain HTTP)");
            }
        }
        Path trust = node.get("trust").isAbsentOrNull() ? null : path(node.get("trust"));
        try {
            return new JwtRealmSettings.Jwks(url, trust, node.get("trust-password").string(null),
                    duration(node.get("refresh"), JwtRealmSettings.Jwks.DEFAULT_REFRESH),
                    duration(node.get("min-refetch-interval"), JwtRealmSettings.Jwks.DEFAULT_MIN_REFETCH),
                    duration(node.get("timeout"), JwtRealmSettings.Jwks.DEFAULT_TIMEOUT));
        } catch (IllegalArgumentException e) {
            throw node.invalid(new IllegalArgumentException(e.getMessage().replaceFirst("^jwks\\.", "")));
        }
    }

    private static JwtRealmSettings.Introspection introspection(ConfigNode node) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return null;
        }
        node.requireKeys(INTROSPECTION_KEYS);
        ConfigNode urlNode = node.get("url");
        URI url;
        try {
            url = new URI(urlNode.string());
        } catch (URISyntaxException e) {
            throw urlNode.error("is not a valid URL (" + e.getReason() + ")");
        }
        if (!"https".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
            throw urlNode.error("must be an https:// URL with a host (tokens are never sent over plain HTTP)");
        }
        Path trust = node.get("trust").isAbsentOrNull() ? null : path(node.get("trust"));
        try {
            return new JwtRealmSettings.Introspection(url, node.get("client-id").string(),
                    node.get("client-secret").string(), trust, node.get("trust-password").string(null),
                    duration(node.get("cache-ttl"), JwtRealmSettings.Introspection.DEFAULT_CACHE_TTL),
                    duration(node.get("timeout"), JwtRealmSettings.Jwks.DEFAULT_TIMEOUT));
        } catch (IllegalArgumentException e) {
            throw node.invalid(new IllegalArgumentException(e.getMessage().replaceFirst("^introspection\\.", "")));
        }
    }

    /** A duration: an integer number of seconds, or a number with a unit: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
    static Duration duration(ConfigNode node, Duration defaultValue) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return defaultValue;
        }
        Matcher m = DURATION.matcher(node.string().strip());
        if (!m.matches()) {
            throw node.error("must be a duration such as 30, 500ms, 30s, 5m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }

    private static String claimPath(ConfigNode node) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return null;
        }
        String path = node.string();
        if (!CLAIM_PATH.matcher(path).matches()) {
            throw node.error("must be a claim name or a path of names joined by '.', e.g. realm_access.roles");
        }
        return path;
    }

    private static Path path(ConfigNode node) throws ConfigException {
        try {
            return Path.of(node.string()).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw node.error("is not a valid path (" + e.getReason() + ")");
        }
    }

    private static List<ConfigNode> list(ConfigNode node) throws ConfigException {
        return node.isAbsentOrNull() ? List.of() : node.elements();
    }

    /** A list of strings, or one string standing for a list of one. */
    private static List<String> strings(ConfigNode node) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return List.of();
        }
        List<ConfigNode> elements;
        try {
            elements = node.elements();
        } catch (ConfigException notAList) {
            return List.of(node.string());
        }
        List<String> out = new ArrayList<>();
        for (ConfigNode e : elements) {
            out.add(e.string());
        }
        return out;
    }
}
