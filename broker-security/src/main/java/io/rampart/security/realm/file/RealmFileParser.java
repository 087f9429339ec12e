package io.rampart.security.realm.file;

import io.rampart.security.hash.HashAlgorithm;
import io.rampart.security.hash.InvalidHashException;
import io.rampart.security.hash.PasswordHasher;
import io.rampart.security.limits.IdentityLimits;
import io.rampart.security.limits.LimitsSyntax;
import io.rampart.security.permission.Activity;
import io.rampart.security.permission.AdminGrantSpec;
import io.rampart.security.permission.ClientIdPattern;
import io.rampart.security.permission.Effect;
import io.rampart.security.permission.Permission;
import io.rampart.security.permission.RuleOrigin;
import io.rampart.security.realm.file.LocatedYaml.Entry;
import io.rampart.security.realm.file.LocatedYaml.ListNode;
import io.rampart.security.realm.file.LocatedYaml.MapNode;
import io.rampart.security.realm.file.LocatedYaml.Node;
import io.rampart.security.realm.file.LocatedYaml.Position;
import io.rampart.security.realm.file.LocatedYaml.Scalar;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses and fully validates a realm file: unknown keys, wrong types, invalid topic filters, duplicate users
 * or roles, unknown role references and unusable password hashes are all errors that name line, column and
 * key path. Either the whole file is valid or nothing of it is used.
 */
final class RealmFileParser {

    private static final Set<String> TOP_KEYS = Set.of("users", "roles");
    private static final Set<String> USER_KEYS = Set.of("username", "password", "roles", "permissions", "limits",
            "admin-permissions");
    private static final Set<String> ROLE_KEYS = Set.of("name", "permissions", "limits", "admin-permissions");
    private static final Set<String> ADMIN_GRANT_KEYS = Set.of("template", "permissions", "clients", "topics");
    private static final Set<String> PERMISSION_KEYS = Set.of("topic", "client-id", "activity", "qos", "retain",
            "shared-subscription", "share-groups", "effect");
    private static final Set<String> LIMIT_KEYS = Set.copyOf(LimitsSyntax.KEYS);

    private final String realm;
    private final String source;
    private final PasswordHasher hasher;

    private RealmFileParser(String realm, String source, PasswordHasher hasher) {
        this.realm = realm;
        this.source = source;
        this.hasher = hasher;
    }

    /**
     * @param source name of the file for messages
     * @param hasher decides which hash formats are accepted (and whether plaintext is)
     */
    static RealmContent parse(String source, byte[] content, PasswordHasher hasher) throws FileRealmException {
        return parse(null, source, content, hasher);
    }

    /**
     * @param realm the realm's name, recorded with each rule's origin ({@code null} when the file is only validated)
     */
    static RealmContent parse(String realm, String source, byte[] content, PasswordHasher hasher)
            throws FileRealmException {
        return new RealmFileParser(realm, source, hasher).parse(content);
    }

    private RealmContent parse(byte[] content) throws FileRealmException {
        Node root;
        try {
            root = LocatedYaml.read(content);
        } catch (LocatedYaml.SyntaxException e) {
            throw new FileRealmException(source, e.position.line(), e.position.column(), e.keyPath, e.getMessage());
        }
        byte[] digest = sha256(content);
        if (root == null || root instanceof Scalar s && s.isNull()) {
            return new RealmContent(Map.of(), Map.of(), Map.of(), Map.of(), digest);
        }
        MapNode top = map(root, "");
        checkKeys(top, "", TOP_KEYS);
        Map<String, IdentityLimits> roleLimits = new HashMap<>();
        Map<String, List<AdminGrantSpec>> roleAdminPermissions = new HashMap<>();
        Map<String, List<Permission>> roles = parseRoles(top.entries().get("roles"), roleLimits,
                roleAdminPermissions);
        Map<String, UserEntry> users = parseUsers(top.entries().get("users"), roles);
        return new RealmContent(users, roles, roleLimits, roleAdminPermissions, digest);
    }

    private Map<String, List<Permission>> parseRoles(Entry entry, Map<String, IdentityLimits> roleLimits,
                                                     Map<String, List<AdminGrantSpec>> adminPermissions)
            throws FileRealmException {
        Map<String, List<Permission>> roles = new LinkedHashMap<>();
        Map<String, Position> firstSeen = new HashMap<>();
        List<Node> items = optionalList(entry, "roles");
        for (int i = 0; i < items.size(); i++) {
            String path = "roles[" + i + "]";
            MapNode role = map(items.get(i), path);
            checkKeys(role, path, ROLE_KEYS);
            Node nameNode = required(role, path, "name");
            String name = name(nameNode, path + ".name");
            Position previous = firstSeen.putIfAbsent(name, nameNode.position());
            if (previous != null) {
                throw error(nameNode, path + ".name", "duplicate role '" + name + "' (first defined at line "
                        + previous.line() + ")");
            }
            String holder = "role '" + name + "'";
            roles.put(name, parsePermissions(role.entries().get("permissions"), path + ".permissions", holder));
            IdentityLimits limits = parseLimits(role.entries().get("limits"), path + ".limits");
            if (!limits.isNone()) {
                roleLimits.put(name, limits);
            }
            List<AdminGrantSpec> grants = parseAdminGrants(role.entries().get("admin-permissions"),
                    path + ".admin-permissions", holder);
            if (!grants.isEmpty()) {
                adminPermissions.put(name, grants);
            }
        }
        return roles;
    }

    private Map<String, UserEntry> parseUsers(Entry entry, Map<String, List<Permission>> roles)
            throws FileRealmException {
        Map<String, UserEntry> users = new LinkedHashMap<>();
        Map<String, Position> firstSeen = new HashMap<>();
        List<Node> items = optionalList(entry, "users");
        for (int i = 0; i < items.size(); i++) {
            String path = "users[" + i + "]";
            MapNode user = map(items.get(i), path);
            checkKeys(user, path, USER_KEYS);
            Node nameNode = required(user, path, "username");
            String username = name(nameNode, path + ".username");
            Position previous = firstSeen.putIfAbsent(username, nameNode.position());
            if (previous != null) {
                throw error(nameNode, path + ".username", "duplicate user '" + username + "' (first defined at line "
                        + previous.line() + ")");
            }
            String hash = password(user.entries().get("password"), path + ".password", username);
            List<String> userRoles = new ArrayList<>();
            Entry rolesEntry = user.entries().get("roles");
            List<Node> roleNodes = optionalList(rolesEntry, path + ".roles");
            for (int r = 0; r < roleNodes.size(); r++) {
                String rolePath = path + ".roles[" + r + "]";
                String role = name(roleNodes.get(r), rolePath);
                if (!roles.containsKey(role)) {
                    throw error(roleNodes.get(r), rolePath, "unknown role '" + role + "' (define it under 'roles')");
                }
                if (!userRoles.contains(role)) {
                    userRoles.add(role);
                }
            }
            String holder = "user '" + username + "'";
            List<Permission> permissions = parsePermissions(user.entries().get("permissions"), path + ".permissions",
                    holder);
            IdentityLimits limits = parseLimits(user.entries().get("limits"), path + ".limits");
            List<AdminGrantSpec> grants = parseAdminGrants(user.entries().get("admin-permissions"),
                    path + ".admin-permissions", holder);
            users.put(username, new UserEntry(username, hash, userRoles, permissions, limits, grants));
        }
        return users;
    }

    private String password(Entry entry, String path, String username) throws FileRealmException {
        if (entry == null || entry.value() instanceof Scalar s && s.isNull()) {
            return null;
        }
        Node node = entry.value();
        if (!(node instanceof Scalar s) || !s.isString()) {
            throw error(node, path, "expected a password hash string, found " + node.kind());
        }
        String encoded = s.text();
        boolean plain = PasswordHasher.algorithmOf(encoded).filter(a -> a == HashAlgorithm.PLAIN).isPresent();
        if (plain && !hasher.allowsPlaintext()) {
            throw error(node, path, "plaintext password for user '" + username + "' is not allowed: hash it with "
                    + "'rampart passwd' or enable allow-plaintext for this realm (development only)");
        }
        try {
            hasher.check(encoded);
        } catch (InvalidHashException e) {
            throw error(node, path, "password of user '" + username + "': " + e.getMessage());
        }
        return encoded;
    }

    /** A {@code limits:} block (see {@link LimitsSyntax}); numbers may be written quoted or not. */
    private IdentityLimits parseLimits(Entry entry, String path) throws FileRealmException {
        if (entry == null || entry.value() instanceof Scalar s && s.isNull()) {
            return IdentityLimits.NONE;
        }
        MapNode map = map(entry.value(), path);
        checkKeys(map, path, LIMIT_KEYS);
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, Entry> e : map.entries().entrySet()) {
            Node value = e.getValue().value();
            if (!(value instanceof Scalar s) || s.isNull() || s.isBoolean() || s.text().isBlank()) {
                throw error(value, path + "." + e.getKey(), "expected a number, size or duration, found "
                        + describe(value));
            }
            values.put(e.getKey(), s.text());
        }
        try {
            return LimitsSyntax.parse(values);
        } catch (IllegalArgumentException invalid) {
            String message = invalid.getMessage();
            int colon = message.indexOf(": ");
            String key = message.substring(0, colon);
            Entry at = map.entries().get(key);
            Node node = at == null ? map : at.value();
            throw error(node, path + "." + key, message.substring(colon + 2));
        }
    }

    private List<Permission> parsePermissions(Entry entry, String path, String holder) throws FileRealmException {
        List<Node> items = optionalList(entry, path);
        List<Permission> permissions = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            permissions.add(parsePermission(items.get(i), path + "[" + i + "]")
                    .withOrigin(RuleOrigin.fileLine(realm, holder, source, items.get(i).position().line())));
        }
        return permissions;
    }

    /**
     * {@code admin-permissions}: entries as in {@code admin.roles}, a template name or
     * {@code {template|permissions, clients, topics}}. The names are checked by the admin plane.
     */
    private List<AdminGrantSpec> parseAdminGrants(Entry entry, String path, String holder) throws FileRealmException {
        List<Node> items = optionalList(entry, path);
        List<AdminGrantSpec> grants = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            String itemPath = path + "[" + i + "]";
            Node node = items.get(i);
            String template = null;
            List<String> permissions = List.of();
            String clients = null;
            String topics = null;
            if (node instanceof MapNode map) {
                checkKeys(map, itemPath, ADMIN_GRANT_KEYS);
                Map<String, Entry> e = map.entries();
                if (e.containsKey("template")) {
                    template = word(e.get("template").value(), itemPath + ".template");
                }
                List<Node> names = optionalList(e.get("permissions"), itemPath + ".permissions");
                List<String> list = new ArrayList<>();
                for (int n = 0; n < names.size(); n++) {
                    list.add(word(names.get(n), itemPath + ".permissions[" + n + "]"));
                }
                permissions = list;
                clients = e.containsKey("clients") ? string(e.get("clients").value(), itemPath + ".clients") : null;
                topics = e.containsKey("topics") ? string(e.get("topics").value(), itemPath + ".topics") : null;
            } else {
                template = word(node, itemPath);
            }
            String problem = AdminGrantSpec.problem(template, permissions, clients, topics);
            if (problem != null) {
                int colon = problem.indexOf(": ");
                String key = problem.substring(0, colon);
                boolean scalar = !(node instanceof MapNode);
                throw error(node, scalar ? itemPath : itemPath + "." + key,
                        scalar ? "'" + template + "' is not a template name" : problem.substring(colon + 2));
            }
            grants.add(new AdminGrantSpec(template, permissions, clients, topics,
                    RuleOrigin.fileLine(realm, holder, source, node.position().line())));
        }
        return grants;
    }

    private Permission parsePermission(Node node, String path) throws FileRealmException {
        MapNode map = map(node, path);
        checkKeys(map, path, PERMISSION_KEYS);
        Map<String, Entry> e = map.entries();

        Effect effect = Effect.ALLOW;
        if (e.containsKey("effect")) {
            effect = switch (word(e.get("effect").value(), path + ".effect")) {
                case "allow" -> Effect.ALLOW;
                case "deny" -> Effect.DENY;
                default -> throw error(e.get("effect").value(), path + ".effect", "expected allow or deny");
            };
        }
        if (e.containsKey("client-id")) {
            return clientIdRule(map, path, effect);
        }
        if (!e.containsKey("topic")) {
            throw error(map, path, "missing 'topic' (or 'client-id' for a client-id rule)");
        }
        Node topicNode = required(map, path, "topic");
        String topic = string(topicNode, path + ".topic");
        validateTopic(topicNode, path + ".topic", topic);

        Activity activity = Activity.ALL;
        if (e.containsKey("activity")) {
            activity = switch (word(e.get("activity").value(), path + ".activity")) {
                case "publish" -> Activity.PUBLISH;
                case "subscribe" -> Activity.SUBSCRIBE;
                case "all" -> Activity.ALL;
                default -> throw error(e.get("activity").value(), path + ".activity",
                        "expected publish, subscribe or all");
            };
        }
        int qos = e.containsKey("qos") ? qos(e.get("qos").value(), path + ".qos") : Permission.ALL_QOS;
        for (String allowOnly : List.of("retain", "shared-subscription", "share-groups")) {
            if (effect == Effect.DENY && e.containsKey(allowOnly)) {
                throw error(e.get(allowOnly).value(), path + "." + allowOnly,
                        "only applies to allow rules (a deny rule denies the topic whatever the flags)");
            }
        }
        boolean retain = !e.containsKey("retain") || bool(e.get("retain").value(), path + ".retain");
        boolean shared = !e.containsKey("shared-subscription")
                || bool(e.get("shared-subscription").value(), path + ".shared-subscription");
        Set<String> groups = new LinkedHashSet<>();
        List<Node> groupNodes = optionalList(e.get("share-groups"), path + ".share-groups");
        for (int g = 0; g < groupNodes.size(); g++) {
            String groupPath = path + ".share-groups[" + g + "]";
            String group = name(groupNodes.get(g), groupPath);
            if (group.indexOf('/') >= 0 || group.indexOf('+') >= 0 || group.indexOf('#') >= 0) {
                throw error(groupNodes.get(g), groupPath, "a share group may not contain '/', '+' or '#'");
            }
            groups.add(group);
        }
        if (!groups.isEmpty() && !shared) {
            throw error(e.get("share-groups").value(), path + ".share-groups",
                    "share-groups given but shared-subscription is false");
        }
        return new Permission(topic, activity, qos, retain, shared, groups, effect);
    }

    /** {@code - client-id: "${mqtt-username}-*"}, optionally with {@code effect}; no topic and no topic flags. */
    private Permission clientIdRule(MapNode map, String path, Effect effect) throws FileRealmException {
        for (Map.Entry<String, Entry> e : map.entries().entrySet()) {
            if (!e.getKey().equals("client-id") && !e.getKey().equals("effect")) {
                Position p = e.getValue().keyPosition();
                throw new FileRealmException(source, p.line(), p.column(), path + "." + e.getKey(),
                        "a client-id rule takes only 'client-id' and 'effect' (write topic rules separately)");
            }
        }
        Node node = map.entries().get("client-id").value();
        String pattern = string(node, path + ".client-id");
        String problem = ClientIdPattern.problem(pattern);
        if (problem != null) {
            throw error(node, path + ".client-id", problem);
        }
        return Permission.clientId(pattern, effect);
    }

    private void validateTopic(Node node, String path, String topic) throws FileRealmException {
        String problem = Permission.topicFilterProblem(topic);
        if (problem != null) {
            throw error(node, path, problem);
        }
    }

    private int qos(Node node, String path) throws FileRealmException {
        List<Node> levels = node instanceof ListNode list ? list.items() : List.of(node);
        if (levels.isEmpty()) {
            throw error(node, path, "must name at least one of 0, 1, 2");
        }
        int mask = 0;
        for (Node level : levels) {
            if (!(level instanceof Scalar s) || !s.isInteger() || !s.text().matches("[012]")) {
                throw error(level, path, "expected QoS 0, 1 or 2, found " + describe(level));
            }
            mask |= 1 << Integer.parseInt(s.text());
        }
        return mask;
    }

    private boolean bool(Node node, String path) throws FileRealmException {
        if (!(node instanceof Scalar s) || !s.isBoolean()) {
            throw error(node, path, "expected true or false, found " + describe(node));
        }
        return Boolean.parseBoolean(s.text());
    }

    private String word(Node node, String path) throws FileRealmException {
        return string(node, path).trim().toLowerCase(Locale.ROOT);
    }

    private String string(Node node, String path) throws FileRealmException {
        if (!(node instanceof Scalar s) || !s.isString() || s.text().isEmpty()) {
            throw error(node, path, "expected a non-empty string, found " + describe(node));
        }
        return s.text();
    }

    /** A user, role or group name: a non-empty string (or a number, taken as written) without control characters. */
    private String name(Node node, String path) throws FileRealmException {
        if (!(node instanceof Scalar s) || !(s.isString() || s.isInteger()) || s.text().isEmpty()) {
            throw error(node, path, "expected a non-empty name, found " + describe(node));
        }
        String text = s.text();
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                throw error(node, path, "a name may not contain control characters");
            }
        }
        if (!text.strip().equals(text)) {
            throw error(node, path, "a name may not start or end with white space");
        }
        return text;
    }

    private MapNode map(Node node, String path) throws FileRealmException {
        if (node instanceof MapNode m) {
            return m;
        }
        throw error(node, path, "expected a mapping, found " + describe(node));
    }

    private List<Node> optionalList(Entry entry, String path) throws FileRealmException {
        if (entry == null || entry.value() instanceof Scalar s && s.isNull()) {
            return List.of();
        }
        if (entry.value() instanceof ListNode list) {
            return list.items();
        }
        throw error(entry.value(), path, "expected a list, found " + describe(entry.value()));
    }

    private Node required(MapNode map, String path, String key) throws FileRealmException {
        Entry entry = map.entries().get(key);
        if (entry == null || entry.value() instanceof Scalar s && s.isNull()) {
            throw error(map, path, "missing '" + key + "'");
        }
        return entry.value();
    }

    private void checkKeys(MapNode map, String path, Set<String> allowed) throws FileRealmException {
        for (Map.Entry<String, Entry> e : map.entries().entrySet()) {
            if (!allowed.contains(e.getKey())) {
                Position p = e.getValue().keyPosition();
                throw new FileRealmException(source, p.line(), p.column(),
                        path.isEmpty() ? e.getKey() : path + "." + e.getKey(),
                        "unknown key (allowed: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String describe(Node node) {
        return node instanceof Scalar s && !s.isNull() ? node.kind() + " '" + s.text() + "'" : node.kind();
    }

    private FileRealmException error(Node node, String path, String reason) {
        Position p = node.position();
        return new FileRealmException(source, p.line(), p.column(), path, reason);
    }

    private static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
