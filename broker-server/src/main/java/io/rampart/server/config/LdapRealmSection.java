package io.rampart.server.config;

import io.rampart.security.realm.ldap.LdapRealm;
import io.rampart.security.realm.ldap.LdapRealmSettings;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Maps a realm of type {@code ldap} onto {@link LdapRealmSettings} and its opener. Keys are documented in
 * {@code docs/LDAP-REALM.md}.
 */
final class LdapRealmSection {

    private static final List<String> KEYS = List.of("name", "type", "servers", "start-tls", "allow-plaintext", "trust",
            "bind-dn", "bind-password", "user", "groups", "permissions", "pool-size", "connect-timeout",
            "response-timeout", "cache", "recheck-interval", "role-limits");
    private static final List<String> TRUST_KEYS = List.of("pem", "pkcs12", "password");
    private static final List<String> USER_KEYS = List.of("dn-template", "base-dn", "filter", "scope", "object-class");
    private static final List<String> GROUP_KEYS = List.of("attribute", "base-dn", "filter", "name-attribute", "nested",
            "max-depth");
    private static final List<String> PERMISSION_KEYS = List.of("from-ldap", "attribute");
    private static final List<String> CACHE_KEYS = List.of("size", "ttl", "credential-ttl", "stale-ttl");

    private LdapRealmSection() {
    }

    static SecurityConfig.Realm read(ConfigNode realm, Path dataDir) throws ConfigException {
        realm.requireKeys(KEYS);
        String name = realm.get("name").string();
        List<URI> servers = new ArrayList<>();
        for (ConfigNode s : realm.get("servers").elements()) {
            String text = s.string();
            try {
                servers.add(new URI(text));
            } catch (URISyntaxException e) {
                throw s.error("is not a URL (" + e.getReason() + ")");
            }
        }
        LdapRealmSettings.Trust trust = trust(realm.get("trust"));
        ConfigNode bindDnNode = realm.get("bind-dn");
        String bindDn = bindDnNode.isAbsentOrNull() ? null : bindDnNode.string();
        ConfigNode bindPwNode = realm.get("bind-password");
        String bindPassword = bindPwNode.isAbsentOrNull() ? null : bindPwNode.text();
        LdapRealmSettings.UserLookup user = user(realm.get("user"));
        LdapRealmSettings.GroupLookup groups = groups(realm.get("groups"));
        ConfigNode permNode = realm.get("permissions");
        LdapRealmSettings.PermissionSource permissions;
        if (permNode.isAbsentOrNull()) {
            permissions = new LdapRealmSettings.PermissionSource(false, null);
        } else {
            permNode.requireKeys(PERMISSION_KEYS);
            permissions = new LdapRealmSettings.PermissionSource(permNode.get("from-ldap").booleanValue(false),
                    optional(permNode.get("attribute")));
        }
        ConfigNode cache = realm.get("cache");
        if (!cache.isAbsentOrNull()) {
            cache.requireKeys(CACHE_KEYS);
        }
        Duration cacheTtl = seconds(cache.get("ttl"), LdapRealmSettings.DEFAULT_CACHE_TTL);
        // Re-checks read users as the service account: on by default (every cache.ttl) when there is one.
        Duration recheck = SqlRealmSection.duration(realm.get("recheck-interval"),
                bindDn == null ? Duration.ZERO : cacheTtl);
        LdapRealmSettings settings;
        try {
            settings = new LdapRealmSettings(name, servers, realm.get("start-tls").booleanValue(false),
                    realm.get("allow-plaintext").booleanValue(false), trust, bindDn, bindPassword, user, groups,
                    permissions, realm.get("pool-size").intValue(LdapRealmSettings.DEFAULT_POOL_SIZE),
                    millis(realm.get("connect-timeout"), LdapRealmSettings.DEFAULT_CONNECT_TIMEOUT),
                    millis(realm.get("response-timeout"), LdapRealmSettings.DEFAULT_RESPONSE_TIMEOUT),
                    cache.get("size").intValue(LdapRealmSettings.DEFAULT_CACHE_SIZE),
                    cacheTtl,
                    seconds(cache.get("credential-ttl"), LdapRealmSettings.DEFAULT_CREDENTIAL_TTL),
                    seconds(cache.get("stale-ttl"), Duration.ZERO), recheck,
                    LimitsSection.readRoles(realm.get("role-limits")));
        } catch (IllegalArgumentException e) {
            throw realm.invalid(e);
        }
        return new SecurityConfig.Realm(name, "ldap", settings, timers -> new LdapRealm(settings, timers));
    }

    private static LdapRealmSettings.Trust trust(ConfigNode node) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return null;
        }
        node.requireKeys(TRUST_KEYS);
        boolean pem = !node.get("pem").isAbsentOrNull();
        boolean pkcs12 = !node.get("pkcs12").isAbsentOrNull();
        if (pem == pkcs12) {
            throw node.error("give exactly one of pem (a CA bundle) or pkcs12 (a trust store with password)");
        }
        ConfigNode file = node.get(pem ? "pem" : "pkcs12");
        Path path = path(file);
        ConfigNode pw = node.get("password");
        if (pem && !pw.isAbsentOrNull()) {
            throw pw.error("only with pkcs12");
        }
        return new LdapRealmSettings.Trust(pem ? "pem" : "pkcs12", path, pw.isAbsentOrNull() ? null : pw.text());
    }

    private static LdapRealmSettings.UserLookup user(ConfigNode node) throws ConfigException {
        node.requireKeys(USER_KEYS);
        String template = optional(node.get("dn-template"));
        String baseDn = optional(node.get("base-dn"));
        String filter = optional(node.get("filter"));
        LdapRealmSettings.Scope scope = null;
        ConfigNode scopeNode = node.get("scope");
        if (!scopeNode.isAbsentOrNull()) {
            String s = scopeNode.string().toLowerCase(Locale.ROOT);
            scope = switch (s) {
                case "one" -> LdapRealmSettings.Scope.ONE;
                case "sub" -> LdapRealmSettings.Scope.SUB;
                default -> throw scopeNode.error("must be one of one, sub (was \"" + s + "\")");
            };
        }
        LdapRealmSettings.UserLookup user;
        try {
            user = new LdapRealmSettings.UserLookup(template, baseDn, filter, scope, optional(node.get("object-class")));
        } catch (IllegalArgumentException e) {
            throw node.invalid(strip(e, "user."));
        }
        return user;
    }

    private static LdapRealmSettings.GroupLookup groups(ConfigNode node) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return null;
        }
        node.requireKeys(GROUP_KEYS);
        String filter = optional(node.get("filter"));
        LdapRealmSettings.GroupLookup groups;
        try {
            groups = new LdapRealmSettings.GroupLookup(optional(node.get("attribute")), optional(node.get("base-dn")),
                    filter, optional(node.get("name-attribute")), node.get("nested").booleanValue(false),
                    node.get("max-depth").intValue(3));
        } catch (IllegalArgumentException e) {
            throw node.invalid(strip(e, "groups."));
        }
        return groups;
    }

    /** A record message "user.filter: reason" relative to the node of {@code user}. */
    private static IllegalArgumentException strip(IllegalArgumentException e, String prefix) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        return new IllegalArgumentException(m.startsWith(prefix) ? m.substring(prefix.length()) : m);
    }

    private static String optional(ConfigNode node) throws ConfigException {
        return node.isAbsentOrNull() ? null : node.string();
    }

    private static Path path(ConfigNode node) throws ConfigException {
        try {
            return Path.of(node.string()).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw node.error("is not a valid path (" + e.getReason() + ")");
        }
    }

    /** A duration: an integer number of milliseconds, or text with a unit ({@code 500ms}, {@code 2s}). */
    private static Duration millis(ConfigNode node, Duration defaultValue) throws ConfigException {
        if (node.isAbsent()) {
            return defaultValue;
        }
        String text = node.string().strip().toLowerCase(Locale.ROOT);
        try {
            if (text.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2).strip()));
            }
            if (text.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1).strip()));
            }
            return Duration.ofMillis(Long.parseLong(text));
        } catch (NumberFormatException e) {
            throw node.error("must be milliseconds, or a number with unit ms or s, e.g. 2000, 500ms, 2s (was \""
                    + text + "\")");
        }
    }

    /** Whole seconds (0 turns the cache off). */
    private static Duration seconds(ConfigNode node, Duration defaultValue) throws ConfigException {
        if (node.isAbsent()) {
            return defaultValue;
        }
        int s = node.intValue();
        if (s < 0 || s > 604_800) {
            throw node.error("must be between 0 and 604800 seconds (was " + s + ")");
        }
        return Duration.ofSeconds(s);
    }
}
