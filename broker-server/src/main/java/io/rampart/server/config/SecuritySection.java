package io.rampart.server.config;

import io.rampart.core.topic.Topics;
import io.rampart.security.permission.Activity;
import io.rampart.security.permission.ClientIdPattern;
import io.rampart.security.permission.Effect;
import io.rampart.security.permission.Permission;
import io.rampart.security.permission.RuleOrigin;
import io.rampart.security.realm.file.FileRealm;
import io.rampart.security.realm.file.FileRealmSettings;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Maps the {@code security:} section onto {@link SecurityConfig} and checks its references. */
final class SecuritySection {

    static final List<String> KEYS = List.of("realms", "pipelines", "access-log", "brute-force");
    private static final List<String> REALM_KEYS = List.of("name", "type", "path", "allow-plaintext", "credential-cache");
    private static final List<String> PIPELINE_KEYS = List.of("name", "listeners", "preprocessors", "authentication",
            "authorization", "timeout", "on-publish-denied", "disconnect-removed-users");
    private static final List<String> PERMISSION_KEYS = List.of("topic", "client-id", "activity", "qos", "retain",
            "shared-subscription", "share-groups", "effect");
    private static final List<String> CLIENT_ID_RULE_KEYS = List.of("client-id", "effect");
    private static final List<String> ACCESS_LOG_KEYS = List.of("format", "publish-allowed", "publish-sample-rate");
    private static final List<String> BRUTE_FORCE_KEYS = List.of("enabled", "threshold", "initial-delay-ms",
            "max-delay-ms", "reset-after");
    private static final Pattern NAMED_GROUP = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>");
    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z0-9_.-]+");

    private SecuritySection() {
    }

    static SecurityConfig read(ConfigNode security, List<ListenerConfig> listeners, Path dataDir) throws ConfigException {
        if (security.isAbsentOrNull()) {
            return SecurityConfig.NONE;
        }
        security.requireKeys(KEYS);
        List<SecurityConfig.Realm> realms = new ArrayList<>();
        Map<String, String> realmNames = new HashMap<>();
        ConfigNode realmsNode = security.get("realms");
        if (!realmsNode.isAbsentOrNull()) {
            for (ConfigNode r : realmsNode.elements()) {
                SecurityConfig.Realm realm = realm(r, dataDir);
                if (realmNames.putIfAbsent(realm.name(), realm.type()) != null) {
                    throw r.get("name").error("duplicate realm name '" + realm.name() + "'");
                }
                realms.add(realm);
            }
        }
        List<SecurityConfig.Pipeline> pipelines = new ArrayList<>();
        Set<String> pipelineNames = new HashSet<>();
        Set<String> boundListeners = new HashSet<>();
        boolean wildcardBound = false;
        ConfigNode pipelinesNode = security.get("pipelines");
        if (!pipelinesNode.isAbsentOrNull()) {
            for (ConfigNode p : pipelinesNode.elements()) {
                SecurityConfig.Pipeline pipeline = pipeline(p, realmNames);
                if (!pipelineNames.add(pipeline.name())) {
                    throw p.get("name").error("duplicate pipeline name '" + pipeline.name() + "'");
                }
                List<ConfigNode> listenerNodes = p.get("listeners").elements();
                checkAdminPipeline(p, pipeline, listeners);
                for (int i = 0; i < pipeline.listeners().size(); i++) {
                    String name = pipeline.listeners().get(i);
                    ConfigNode node = listenerNodes.get(i);
                    if (name.equals("*")) {
                        if (wildcardBound) {
                            throw node.error("only one pipeline may bind '*' (all other listeners)");
                        }
                        wildcardBound = true;
                        continue;
                    }
                    ListenerConfig listener = listeners.stream().filter(l -> l.name().equals(name)).findFirst()
                            .orElseThrow(() -> node.error("no listener named '" + name + "'"));
                    if (!boundListeners.add(name)) {
                        throw node.error("listener '" + name + "' is already bound to another pipeline");
                    }
                    if (listener.allowAnonymous()) {
                        throw node.error("listener '" + name + "' says allow-anonymous: true; use an 'anonymous'"
                                + " authentication manager in this pipeline instead");
                    }
                }
                pipelines.add(pipeline);
            }
        }
        return new SecurityConfig(realms, pipelines, accessLog(security.get("access-log")),
                bruteForce(security.get("brute-force")));
    }

    /**
     * A pipeline bound to an admin listener authenticates operators of the admin API: it binds admin listeners only,
     * authenticates with passwords, tokens or certificates, and has no authorization managers (admin permissions
     * come from {@code admin.roles}).
     */
    private static void checkAdminPipeline(ConfigNode p, SecurityConfig.Pipeline pipeline,
                                           List<ListenerConfig> listeners) throws ConfigException {
        boolean admin = false;
        boolean mqtt = false;
        for (String name : pipeline.listeners()) {
            boolean isAdmin = listeners.stream().anyMatch(l -> l.name().equals(name) && l.type() == ListenerType.ADMIN);
            admin |= isAdmin;
            mqtt |= !isAdmin;
        }
        if (!admin) {
            return;
        }
        if (mqtt) {
            throw p.get("listeners").error("binds admin and MQTT listeners; an admin listener needs a pipeline of its"
                    + " own (its callers are operators, not MQTT clients)");
        }
        List<ConfigNode> authn = p.get("authentication").elements();
        for (int i = 0; i < pipeline.authentication().size(); i++) {
            String type = pipeline.authentication().get(i).type();
            if (!List.of("password", "jwt", "x509", "custom").contains(type)) {
                throw authn.get(i).get("type").error("'" + type + "' cannot authenticate admin API callers"
                        + " (use password, jwt, x509 or custom)");
            }
        }
        if (!pipeline.authorization().isEmpty()) {
            throw p.get("authorization").error("an admin pipeline has no authorization managers: admin permissions"
                    + " come from admin.roles");
        }
    }

    /** A realm: the common keys here, each type's own keys in its section class. */
    private static SecurityConfig.Realm realm(ConfigNode r, Path dataDir) throws ConfigException {
        ConfigNode typeNode = r.get("type");
        String type = typeNode.string();
        return switch (type) {
            case "file" -> fileRealm(r);
            case "sql" -> SqlRealmSection.read(r, dataDir);
            case "ldap" -> LdapRealmSection.read(r, dataDir);
            case "jwt" -> JwtRealmSection.read(r, dataDir);
            default -> throw typeNode.error("unknown realm type '" + type + "' (supported: file, sql, ldap, jwt)");
        };
    }

    private static SecurityConfig.Realm fileRealm(ConfigNode r) throws ConfigException {
        r.requireKeys(REALM_KEYS);
        String name = r.get("name").string();
        ConfigNode pathNode = r.get("path");
        Path path;
        try {
            path = Path.of(pathNode.string()).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw pathNode.error("is not a valid path (" + e.getReason() + ")");
        }
        boolean plaintext = r.get("allow-plaintext").booleanValue(false);
        int cache = r.get("credential-cache").intValue(60);
        if (cache < 0 || cache > 86_400) {
            throw r.get("credential-cache").error("must be between 0 and 86400 seconds (was " + cache + ")");
        }
        FileRealmSettings settings = new FileRealmSettings(name, path, plaintext, Duration.ofSeconds(cache),
                FileRealmSettings.DEFAULT_POLL_INTERVAL);
        return new SecurityConfig.Realm(name, "file", settings, timers -> new FileRealm(settings, timers));
    }

    private static SecurityConfig.Pipeline pipeline(ConfigNode p, Map<String, String> realms) throws ConfigException {
        p.requireKeys(PIPELINE_KEYS);
        String name = p.get("name").string();
        List<String> listeners = strings(p.get("listeners"));
        if (listeners.isEmpty()) {
            throw p.get("listeners").error("must name at least one listener, or '*'");
        }
        List<SecurityConfig.Preprocessor> preprocessors = new ArrayList<>();
        ConfigNode pre = p.get("preprocessors");
        if (!pre.isAbsentOrNull()) {
            for (ConfigNode node : pre.elements()) {
                preprocessors.add(preprocessor(node));
            }
        }
        List<SecurityConfig.Manager> authentication = new ArrayList<>();
        ConfigNode authn = p.get("authentication");
        if (authn.isAbsentOrNull()) {
            throw authn.error("is required: list at least one authentication manager (password or anonymous)");
        }
        Set<String> managerNames = new HashSet<>();
        for (ConfigNode node : authn.elements()) {
            SecurityConfig.Manager m = manager(node, true, realms);
            if (!managerNames.add(m.name())) {
                throw node.get("name").error("duplicate manager name '" + m.name() + "'");
            }
            authentication.add(m);
        }
        if (authentication.isEmpty()) {
            throw authn.error("must list at least one authentication manager");
        }
        List<SecurityConfig.Manager> authorization = new ArrayList<>();
        ConfigNode authz = p.get("authorization");
        if (!authz.isAbsentOrNull()) {
            for (ConfigNode node : authz.elements()) {
                SecurityConfig.Manager m = manager(node, false, realms);
                if (!managerNames.add(m.name())) {
                    throw node.get("name").error("duplicate manager name '" + m.name() + "'");
                }
                authorization.add(m);
            }
        }
        int timeout = p.get("timeout").intValue(5);
        if (timeout < 1 || timeout > 300) {
            throw p.get("timeout").error("must be between 1 and 300 seconds (was " + timeout + ")");
        }
        ConfigNode denied = p.get("on-publish-denied");
        String onDenied = denied.string("acknowledge");
        if (!onDenied.equals("acknowledge") && !onDenied.equals("disconnect")) {
            throw denied.error("must be one of acknowledge, disconnect (was \"" + onDenied + "\")");
        }
        boolean disconnectRemoved = p.get("disconnect-removed-users").booleanValue(false);
        return new SecurityConfig.Pipeline(name, listeners, preprocessors, authentication, authorization, timeout,
                onDenied.equals("disconnect"), disconnectRemoved);
    }

    private static SecurityConfig.Manager manager(ConfigNode node, boolean authentication, Map<String, String> realms)
            throws ConfigException {
        ConfigNode typeNode = node.get("type");
        String type = typeNode.string();
        if (authentication) {
            switch (type) {
                case "password" -> {
                    node.requireKeys(List.of("type", "name", "realm"));
                    String realm = realmRef(node.get("realm"), realms);
                    if (realms.get(realm).equals("jwt")) {
                        throw node.get("realm").error("realm '" + realm + "' is a jwt realm: use a manager of type jwt");
                    }
                    return new SecurityConfig.Manager(type, node.get("name").string(type + "-" + realm), realm, List.of(), null, java.util.Map.of());
                }
                case "jwt" -> {
                    return JwtRealmSection.manager(node, realms);
                }
                case "x509" -> {
                    return X509ManagerSection.read(node, realms);
                }
                case "anonymous" -> {
                    node.requireKeys(List.of("type", "name", "permissions"));
                    ConfigNode perms = node.get("permissions");
                    if (perms.isAbsentOrNull()) {
                        throw perms.error("is required: list what anonymous clients may do (an empty list denies everything)");
                    }
                    String anonymousName = node.get("name").string("anonymous");
                    return new SecurityConfig.Manager(type, anonymousName, null,
                            permissions(perms, null, "manager '" + anonymousName + "'"), null, java.util.Map.of());
                }
                case "custom" -> {
                    return custom(node, type);
                }
                default -> throw typeNode.error("unknown authentication manager type '" + type
                        + "' (supported: password, jwt, x509, anonymous, custom)");
            }
        }
        if (type.equals("custom")) {
            return custom(node, type);
        }
        if (!type.equals("realm")) {
            throw typeNode.error("unknown authorization manager type '" + type + "' (supported: realm, custom)");
        }
        node.requireKeys(List.of("type", "name", "realm"));
        String realm = realmRef(node.get("realm"), realms);
        return new SecurityConfig.Manager(type, node.get("name").string("roles-" + realm), realm, List.of(), null, java.util.Map.of());
    }

    /** A manager implemented by a class on the class path (an extension JAR), with string options. */
    private static SecurityConfig.Manager custom(ConfigNode node, String type) throws ConfigException {
        node.requireKeys(List.of("type", "name", "class", "options"));
        ConfigNode classNode = node.get("class");
        String className = classNode.string();
        java.util.Map<String, String> options = new java.util.LinkedHashMap<>();
        ConfigNode optionsNode = node.get("options");
        if (!optionsNode.isAbsentOrNull()) {
            optionsNode.requireKeys(null);
            for (String key : optionsNode.keys()) {
                options.put(key, optionsNode.get(key).text());
            }
        }
        return new SecurityConfig.Manager(type, node.get("name").string(className.substring(className.lastIndexOf('.') + 1)),
                null, List.of(), className, options);
    }

    static String realmRef(ConfigNode node, Map<String, String> realms) throws ConfigException {
        String realm = node.string();
        if (!realms.containsKey(realm)) {
            throw node.error("no realm named '" + realm + "' in security.realms");
        }
        return realm;
    }

    private static SecurityConfig.Preprocessor preprocessor(ConfigNode node) throws ConfigException {
        ConfigNode typeNode = node.get("type");
        String type = typeNode.string();
        switch (type) {
            case "copy" -> {
                node.requireKeys(List.of("type", "from", "to"));
                return new SecurityConfig.Preprocessor(type, variable(node.get("from")), List.of(), variable(node.get("to")),
                        null, null, 0, null);
            }
            case "regex" -> {
                node.requireKeys(List.of("type", "from", "pattern"));
                ConfigNode patternNode = node.get("pattern");
                String pattern = patternNode.string();
                try {
                    Pattern.compile(pattern);
                } catch (PatternSyntaxException e) {
                    throw patternNode.error("is not a valid regular expression (" + e.getDescription() + ")");
                }
                if (!NAMED_GROUP.matcher(pattern).find()) {
                    throw patternNode.error("must have named groups (?<name>...): each becomes an identity variable");
                }
                return new SecurityConfig.Preprocessor(type, variable(node.get("from")), List.of(), null, pattern,
                        null, 0, null);
            }
            case "split" -> {
                node.requireKeys(List.of("type", "from", "separator", "index", "to"));
                int index = node.get("index").intValue();
                if (index < 0) {
                    throw node.get("index").error("must be 0 or more (was " + index + ")");
                }
                return new SecurityConfig.Preprocessor(type, variable(node.get("from")), List.of(), variable(node.get("to")),
                        null, node.get("separator").string(), index, null);
            }
            case "concat" -> {
                node.requireKeys(List.of("type", "from", "separator", "to"));
                List<String> sources = new ArrayList<>();
                for (ConfigNode s : node.get("from").elements()) {
                    sources.add(variable(s));
                }
                if (sources.isEmpty()) {
                    throw node.get("from").error("must list at least one variable");
                }
                String separator = node.get("separator").isAbsent() ? "" : node.get("separator").text();
                return new SecurityConfig.Preprocessor(type, null, sources, variable(node.get("to")), null,
                        separator, 0, null);
            }
            case "set" -> {
                node.requireKeys(List.of("type", "to", "value"));
                return new SecurityConfig.Preprocessor(type, null, List.of(), variable(node.get("to")), null, null, 0,
                        node.get("value").string());
            }
            default -> throw typeNode.error("unknown preprocessor type '" + type
                    + "' (supported: copy, regex, split, concat, set)");
        }
    }

    private static String variable(ConfigNode node) throws ConfigException {
        String name = node.string();
        if (!VARIABLE.matcher(name).matches()) {
            throw node.error("must be a variable name of letters, digits, '.', '_' or '-' (was \"" + name + "\")");
        }
        return name;
    }

    static List<Permission> permissions(ConfigNode list) throws ConfigException {
        return permissions(list, null, null);
    }

    /**
     * The rules of a configuration list, each with its key path as origin.
     *
     * @param realm  the realm they belong to (JWT scope mappings), or {@code null}
     * @param holder whose rules they are ({@code scope 'read'}, {@code manager 'anonymous'}), or {@code null}
     */
    static List<Permission> permissions(ConfigNode list, String realm, String holder) throws ConfigException {
        List<Permission> out = new ArrayList<>();
        for (ConfigNode p : list.elements()) {
            RuleOrigin origin = RuleOrigin.configuration(realm, holder, p.path());
            p.requireKeys(PERMISSION_KEYS);
            if (!p.get("client-id").isAbsent()) {
                out.add(clientIdRule(p).withOrigin(origin));
                continue;
            }
            ConfigNode topicNode = p.get("topic");
            String topic = topicNode.string();
            String probe = topic.replaceAll("\\$\\{[A-Za-z0-9_.-]+}", "x");
            String problem = Topics.validateTopicFilter(probe, 65_535, 65_535);
            if (problem != null) {
                throw topicNode.error("is not a valid topic filter: " + problem);
            }
            if (Topics.isShared(probe)) {
                throw topicNode.error("must not start with $share/; use shared-subscription and share-groups");
            }
            Activity activity = p.get("activity").enumValue(Activity.class, Activity.ALL);
            if (activity == Activity.CLIENT_ID) {
                throw p.get("activity").error("must be one of publish, subscribe, all (a client-id rule is written"
                        + " {client-id: PATTERN}, without topic)");
            }
            int qos = Permission.ALL_QOS;
            ConfigNode qosNode = p.get("qos");
            if (!qosNode.isAbsentOrNull()) {
                List<Integer> levels = new ArrayList<>();
                for (ConfigNode q : qosNode.elements()) {
                    int level = q.intValue();
                    if (level < 0 || level > 2) {
                        throw q.error("must be 0, 1 or 2 (was " + level + ")");
                    }
                    levels.add(level);
                }
                if (levels.isEmpty()) {
                    throw qosNode.error("must list at least one QoS level");
                }
                qos = Permission.qosMask(levels);
            }
            boolean retain = p.get("retain").booleanValue(true);
            boolean shared = p.get("shared-subscription").booleanValue(true);
            Set<String> groups = new LinkedHashSet<>(strings(p.get("share-groups")));
            Effect effect = p.get("effect").enumValue(Effect.class, Effect.ALLOW);
            out.add(new Permission(topic, activity, qos, retain, shared, groups, effect, origin));
        }
        return out;
    }

    /** {@code {client-id: "${mqtt-username}-*", effect: deny}}: the client ids the identity may (not) use. */
    private static Permission clientIdRule(ConfigNode p) throws ConfigException {
        p.requireKeys(CLIENT_ID_RULE_KEYS);
        ConfigNode patternNode = p.get("client-id");
        String pattern = patternNode.string();
        String problem = ClientIdPattern.problem(pattern);
        if (problem != null) {
            throw patternNode.error(problem);
        }
        return Permission.clientId(pattern, p.get("effect").enumValue(Effect.class, Effect.ALLOW));
    }

    private static List<String> strings(ConfigNode node) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (ConfigNode e : node.elements()) {
            out.add(e.string());
        }
        return out;
    }

    private static SecurityConfig.AccessLog accessLog(ConfigNode node) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return SecurityConfig.AccessLog.DEFAULT;
        }
        node.requireKeys(ACCESS_LOG_KEYS);
        ConfigNode formatNode = node.get("format");
        String format = formatNode.string("plain");
        if (!format.equals("plain") && !format.equals("json")) {
            throw formatNode.error("must be one of plain, json (was \"" + format + "\")");
        }
        int rate = node.get("publish-sample-rate").intValue(1);
        if (rate < 1) {
            throw node.get("publish-sample-rate").error("must be 1 or more (was " + rate + ")");
        }
        return new SecurityConfig.AccessLog(format, node.get("publish-allowed").booleanValue(SecurityConfig.AccessLog.DEFAULT.publishAllowed()), rate);
    }

    private static SecurityConfig.BruteForce bruteForce(ConfigNode node) throws ConfigException {
        SecurityConfig.BruteForce d = SecurityConfig.BruteForce.DEFAULT;
        if (node.isAbsentOrNull()) {
            return d;
        }
        node.requireKeys(BRUTE_FORCE_KEYS);
        int threshold = node.get("threshold").intValue(d.threshold());
        long initial = node.get("initial-delay-ms").longValue(d.initialDelayMs());
        long max = node.get("max-delay-ms").longValue(d.maxDelayMs());
        long reset = node.get("reset-after").longValue(d.resetSeconds());
        if (threshold < 1) {
            throw node.get("threshold").error("must be 1 or more (was " + threshold + ")");
        }
        if (initial < 1 || initial > 600_000) {
            throw node.get("initial-delay-ms").error("must be between 1 and 600000 (was " + initial + ")");
        }
        if (max < initial || max > 600_000) {
            throw node.get("max-delay-ms").error("must be between initial-delay-ms and 600000 (was " + max + ")");
        }
        if (reset < 1) {
            throw node.get("reset-after").error("must be 1 or more seconds (was " + reset + ")");
        }
        return new SecurityConfig.BruteForce(node.get("enabled").booleanValue(true), threshold, initial, max, reset);
    }
}
