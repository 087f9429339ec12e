package io.rampart.server.config;

import io.rampart.admin.config.AdminSettings;
import io.rampart.admin.config.Durations;
import io.rampart.admin.config.OidcSettings;
import io.rampart.admin.config.RequestLimits;
import io.rampart.admin.config.SessionSettings;
import io.rampart.admin.rbac.AdminPermission;
import io.rampart.admin.rbac.GrantRule;
import io.rampart.admin.rbac.RoleMapping;
import io.rampart.admin.rbac.RoleTemplate;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Maps the {@code admin:} section onto {@link AdminSettings}. */
final class AdminSection {

    static final List<String> KEYS = List.of("roles", "metrics-access", "allowed-origins", "audit-log", "initial-admin",
            "sessions", "max-token-lifetime", "limits", "oidc");
    private static final List<String> OIDC_KEYS = List.of("issuer", "client-id", "client-secret", "scopes",
            "roles-claim", "username-claim", "redirect-uri");
    private static final List<String> GRANT_KEYS = List.of("template", "permissions", "clients", "topics");
    private static final List<String> SESSION_KEYS = List.of("idle-timeout", "absolute-timeout", "max-sessions");
    private static final List<String> LIMIT_KEYS = List.of("max-body-size", "max-header-size", "max-headers",
            "request-timeout", "idle-timeout", "max-concurrent-requests-per-address");
    private static final List<String> INITIAL_KEYS = List.of("realm", "user", "roles");

    private AdminSection() {
    }

    static AdminSettings read(ConfigNode admin, SecurityConfig security) throws ConfigException {
        if (admin.isAbsentOrNull()) {
            return AdminSettings.DEFAULTS;
        }
        admin.requireKeys(KEYS);
        RoleMapping roles = roles(admin.get("roles"));
        AdminSettings.MetricsAccess metrics = admin.get("metrics-access")
                .enumValue(AdminSettings.MetricsAccess.class, AdminSettings.MetricsAccess.LOOPBACK);
        List<String> origins = new ArrayList<>();
        ConfigNode originsNode = admin.get("allowed-origins");
        if (!originsNode.isAbsentOrNull()) {
            for (ConfigNode o : originsNode.elements()) {
                origins.add(o.string());
            }
        }
        boolean auditJson = false;
        ConfigNode audit = admin.get("audit-log");
        if (!audit.isAbsentOrNull()) {
            audit.requireKeys(List.of("format"));
            String format = audit.get("format").string("plain");
            if (!format.equals("plain") && !format.equals("json")) {
                throw audit.get("format").error("must be one of plain, json (was \"" + format + "\")");
            }
            auditJson = format.equals("json");
        }
        AdminSettings.InitialAdmin initial = initialAdmin(admin.get("initial-admin"), security);
        SessionSettings sessions = sessions(admin.get("sessions"));
        RequestLimits limits = limits(admin.get("limits"));
        Duration maxToken = duration(admin.get("max-token-lifetime"), AdminSettings.DEFAULT_MAX_TOKEN_LIFETIME);
        OidcSettings oidc = oidc(admin.get("oidc"));
        try {
            return new AdminSettings(roles, metrics, limits, sessions, origins, auditJson, initial, maxToken, oidc);
        } catch (IllegalArgumentException e) {
            throw admin.invalid(e);
        }
    }

    private static RoleMapping roles(ConfigNode node) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return RoleMapping.EMPTY;
        }
        node.requireKeys(null);
        Map<String, List<GrantRule>> out = new LinkedHashMap<>();
        for (String role : node.keys()) {
            ConfigNode list = node.get(role);
            List<GrantRule> rules = new ArrayList<>();
            List<ConfigNode> elements = list.elements();
            for (int i = 0; i < elements.size(); i++) {
                rules.add(grant(elements.get(i), "admin.roles." + role + "[" + i + "]"));
            }
            out.put(role, rules);
        }
        return new RoleMapping(out);
    }

    /** A template name, or {@code {template|permissions, clients, topics}}. */
    private static GrantRule grant(ConfigNode node, String origin) throws ConfigException {
        if (node.isAbsentOrNull()) {
            throw node.error("is empty: name a template (" + String.join(", ", RoleTemplate.ids())
                    + ") or give a mapping with template or permissions");
        }
        String template = null;
        Set<AdminPermission> permissions;
        String clients = null;
        String topics = null;
        if (isMapping(node)) {
            node.requireKeys(GRANT_KEYS);
            ConfigNode t = node.get("template");
            ConfigNode p = node.get("permissions");
            if (t.isAbsentOrNull() == p.isAbsentOrNull()) {
                throw node.error("give exactly one of template and permissions");
            }
            if (!t.isAbsentOrNull()) {
                template = t.string();
                permissions = templateOf(t, template).permissions();
            } else {
                permissions = EnumSet.noneOf(AdminPermission.class);
                for (ConfigNode e : p.elements()) {
                    String id = e.string();
                    permissions.add(AdminPermission.byId(id).orElseThrow(() -> e.error("unknown permission '" + id
                            + "' (known: " + String.join(", ", AdminPermission.ids()) + ")")));
                }
            }
            clients = node.get("clients").string(null);
            topics = node.get("topics").string(null);
        } else {
            template = node.string();
            permissions = templateOf(node, template).permissions();
        }
        try {
            return new GrantRule(permissions, template, clients, topics, origin);
        } catch (IllegalArgumentException e) {
            throw node.invalid(e);
        }
    }

    private static boolean isMapping(ConfigNode node) {
        try {
            node.requireKeys(null);
            return true;
        } catch (ConfigException e) {
            return false;
        }
    }

    private static RoleTemplate templateOf(ConfigNode node, String id) throws ConfigException {
        return RoleTemplate.byId(id).orElseThrow(() -> node.error("unknown template '" + id + "' (known: "
                + String.join(", ", RoleTemplate.ids()) + ")"));
    }

    private static AdminSettings.InitialAdmin initialAdmin(ConfigNode node, SecurityConfig security)
            throws ConfigException {
        if (node.isAbsentOrNull()) {
            return null;
        }
        node.requireKeys(INITIAL_KEYS);
        ConfigNode realmNode = node.get("realm");
        String realm = realmNode.string();
        SecurityConfig.Realm r = security.realms().stream().filter(x -> x.name().equals(realm)).findFirst()
                .orElseThrow(() -> realmNode.error("no realm named '" + realm + "' in security.realms"));
        if (!r.type().equals("file")) {
            throw realmNode.error("realm '" + realm + "' is a " + r.type() + " realm; the first-run user can only be"
                    + " created in a file realm");
        }
        List<String> roles = new ArrayList<>();
        ConfigNode rolesNode = node.get("roles");
        if (!rolesNode.isAbsentOrNull()) {
            for (ConfigNode e : rolesNode.elements()) {
                roles.add(e.string());
            }
        }
        try {
            return new AdminSettings.InitialAdmin(realm, node.get("user").string("admin"), roles);
        } catch (IllegalArgumentException e) {
            throw node.invalid(new IllegalArgumentException(e.getMessage().replaceFirst("^initial-admin\\.", "")));
        }
    }

    private static OidcSettings oidc(ConfigNode node) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return null;
        }
        node.requireKeys(OIDC_KEYS);
        List<String> scopes = new ArrayList<>();
        ConfigNode scopesNode = node.get("scopes");
        if (!scopesNode.isAbsentOrNull()) {
            for (ConfigNode e : scopesNode.elements()) {
                scopes.add(e.string());
            }
        }
        try {
            return new OidcSettings(uri(node.get("issuer")), node.get("client-id").string(),
                    node.get("client-secret").string(null), scopes, node.get("roles-claim").string("roles"),
                    node.get("username-claim").string("preferred_username"),
                    node.get("redirect-uri").isAbsentOrNull() ? null : uri(node.get("redirect-uri")));
        } catch (IllegalArgumentException e) {
            throw node.invalid(e);
        }
    }

    private static URI uri(ConfigNode node) throws ConfigException {
        String value = node.string();
        try {
            return new URI(value);
        } catch (URISyntaxException e) {
            throw node.error("must be a URL (" + e.getReason() + ")");
        }
    }

    private static SessionSettings sessions(ConfigNode node) throws ConfigException {
        SessionSettings d = SessionSettings.DEFAULTS;
        if (node.isAbsentOrNull()) {
            return d;
        }
        node.requireKeys(SESSION_KEYS);
        try {
            return new SessionSettings(duration(node.get("idle-timeout"), d.idleTimeout()),
                    duration(node.get("absolute-timeout"), d.absoluteTimeout()),
                    node.get("max-sessions").intValue(d.maxSessions()));
        } catch (IllegalArgumentException e) {
            throw node.invalid(e);
        }
    }

    private static RequestLimits limits(ConfigNode node) throws ConfigException {
        RequestLimits d = RequestLimits.DEFAULTS;
        if (node.isAbsentOrNull()) {
            return d;
        }
        node.requireKeys(LIMIT_KEYS);
        try {
            return new RequestLimits(node.get("max-body-size").sizeValue(d.maxBodyBytes()),
                    node.get("max-header-size").sizeValue(d.maxHeaderBytes()),
                    node.get("max-headers").intValue(d.maxHeaders()),
                    duration(node.get("request-timeout"), d.requestTimeout()),
                    node.get("max-concurrent-requests-per-address").intValue(d.maxConcurrentPerAddress()),
                    duration(node.get("idle-timeout"), d.idleTimeout()));
        } catch (IllegalArgumentException e) {
            throw node.invalid(e);
        }
    }

    private static Duration duration(ConfigNode node, Duration defaultValue) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return defaultValue;
        }
        try {
            return Durations.parse(node.text());
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
    }
}
