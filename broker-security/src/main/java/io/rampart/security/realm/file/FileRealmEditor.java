package io.rampart.security.realm.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rampart.security.hash.PasswordHasher;
import io.rampart.security.permission.Activity;
import io.rampart.security.permission.AdminGrantSpec;
import io.rampart.security.permission.Effect;
import io.rampart.security.permission.Permission;
import io.rampart.security.realm.admin.RealmEditException;
import io.rampart.security.realm.admin.RealmEditException.Kind;
import io.rampart.security.realm.admin.RealmEditor;
import io.rampart.security.realm.admin.RealmRole;
import io.rampart.security.realm.admin.RealmUser;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The {@link RealmEditor} of a file realm. Reads answer from the content in force; a change reads the file as it is
 * on disk, changes the entries it is about ({@link RealmFileDocument}: the rest of the file, comments included,
 * stays as written), validates the result as the realm would, replaces the file atomically and has the realm read
 * it at once and re-check its live sessions.
 */
final class FileRealmEditor implements RealmEditor {

    private static final Logger LOG = LogManager.getLogger("io.rampart.security.realm.file");

    private final FileRealm realm;
    private final Supplier<RealmContent> content;
    private final PasswordHasher hasher;
    private final Object lock = new Object();

    FileRealmEditor(FileRealm realm, Supplier<RealmContent> content, PasswordHasher hasher) {
        this.realm = realm;
        this.content = content;
        this.hasher = hasher;
    }

    @Override
    public List<RealmUser> users(String after, int limit) {
        RealmContent current = content.get();
        List<RealmUser> out = new ArrayList<>();
        for (String name : page(current.users().keySet(), after, limit)) {
            out.add(view(current.users().get(name)));
        }
        return out;
    }

    @Override
    public Optional<RealmUser> user(String name) {
        RealmContent current = content.get();
        UserEntry user = current.users().get(name);
        return user == null ? Optional.empty() : Optional.of(view(user));
    }

    @Override
    public List<RealmRole> roles(String after, int limit) {
        RealmContent current = content.get();
        List<RealmRole> out = new ArrayList<>();
        for (String name : page(current.roles().keySet(), after, limit)) {
            out.add(view(current, name));
        }
        return out;
    }

    @Override
    public Optional<RealmRole> role(String name) {
        RealmContent current = content.get();
        return current.roles().containsKey(name) ? Optional.of(view(current, name)) : Optional.empty();
    }

    private static List<String> page(java.util.Set<String> names, String after, int limit) {
        TreeSet<String> sorted = new TreeSet<>(names);
        return (after == null ? sorted : sorted.tailSet(after, false)).stream().limit(limit).toList();
    }

    private static RealmUser view(UserEntry user) {
        return new RealmUser(user.username(), user.passwordHash() != null, true, user.roles(), user.permissions(),
                user.adminPermissions());
    }

    private static RealmRole view(RealmContent content, String role) {
        return new RealmRole(role, content.roles().get(role), content.roleAdminPermissions().getOrDefault(role, List.of()));
    }

    // ------------------------------------------------------------------ changes

    @Override
    public void createUser(RealmUser user, String passwordHash) throws RealmEditException {
        change("user '" + user.name() + "' added", (doc, onDisk) -> {
            if (onDisk.users().containsKey(user.name())) {
                throw new RealmEditException(Kind.EXISTS, "username", "user '" + user.name() + "' exists already in realm '"
                        + realm.name() + "'");
            }
            requireRoles(onDisk, user.roles());
            ObjectNode entry = JsonNodeFactory.instance.objectNode().put("username", user.name());
            if (passwordHash != null) {
                entry.put("password", passwordHash);
            }
            setGrants(entry, user.roles(), user.permissions(), user.adminPermissions());
            doc.put("users", "username", user.name(), entry);
        });
    }

    @Override
    public void updateUser(RealmUser user) throws RealmEditException {
        if (!user.enabled()) {
            throw new RealmEditException(Kind.INVALID, "enabled", "a file realm has no disabled users: delete the user,"
                    + " or remove its password to stop its logins");
        }
        change("user '" + user.name() + "' changed", (doc, onDisk) -> {
            ObjectNode entry = existing(doc, onDisk, user.name());
            requireRoles(onDisk, user.roles());
            setGrants(entry, user.roles(), user.permissions(), user.adminPermissions());
            doc.put("users", "username", user.name(), entry);
        });
    }

    @Override
    public void deleteUser(String name) throws RealmEditException {
        change("user '" + name + "' deleted", (doc, onDisk) -> {
            existing(doc, onDisk, name);
            doc.remove("users", "username", name);
        });
    }

    @Override
    public void setPassword(String name, String passwordHash) throws RealmEditException {
        change("password of user '" + name + "' " + (passwordHash == null ? "removed" : "set"), (doc, onDisk) -> {
            ObjectNode entry = existing(doc, onDisk, name);
            if (passwordHash == null) {
                entry.remove("password");
            } else {
                entry.put("password", passwordHash);
            }
            doc.put("users", "username", name, entry);
        });
    }

    @Override
    public void createRole(RealmRole role) throws RealmEditException {
        change("role '" + role.name() + "' added", (doc, onDisk) -> {
            if (onDisk.roles().containsKey(role.name())) {
                throw new RealmEditException(Kind.EXISTS, "name", "role '" + role.name() + "' exists already in realm '"
                        + realm.name() + "'");
            }
            ObjectNode entry = JsonNodeFactory.instance.objectNode().put("name", role.name());
            setGrants(entry, null, role.permissions(), role.adminPermissions());
            doc.put("roles", "name", role.name(), entry);
        });
    }

    @Override
    public void updateRole(RealmRole role) throws RealmEditException {
        change("role '" + role.name() + "' changed", (doc, onDisk) -> {
            ObjectNode entry = existingRole(doc, onDisk, role.name());
            setGrants(entry, null, role.permissions(), role.adminPermissions());
            doc.put("roles", "name", role.name(), entry);
        });
    }

    @Override
    public void deleteRole(String name) throws RealmEditException {
        change("role '" + name + "' deleted", (doc, onDisk) -> {
            existingRole(doc, onDisk, name);
            for (ObjectNode user : doc.entries("users")) {
                JsonNode roles = user.get("roles");
                if (roles == null || !roles.isArray()) {
                    continue;
                }
                ArrayNode kept = JsonNodeFactory.instance.arrayNode();
                for (JsonNode r : roles) {
                    if (!name.equals(r.asText(null))) {
                        kept.add(r);
                    }
                }
                if (kept.size() != roles.size()) {
                    if (kept.isEmpty()) {
                        user.remove("roles");
                    } else {
                        user.set("roles", kept);
                    }
                    doc.put("users", "username", user.path("username").asText(), user);
                }
            }
            doc.remove("roles", "name", name);
        });
    }

    /** One change of the file's text, made on what is on disk now. */
    @FunctionalInterface
    private interface Change {
        void apply(RealmFileDocument doc, RealmContent onDisk) throws RealmEditException, IOException;
    }

    private void change(String what, Change change) throws RealmEditException {
        synchronized (lock) {
            String source = realm.file().toString();
            String text;
            try {
                text = Files.readString(realm.file(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new RealmEditException(Kind.UNAVAILABLE, "cannot read " + source + ": " + e.getMessage());
            }
            RealmContent onDisk;
            try {
                onDisk = RealmFileParser.parse(realm.name(), source, text.getBytes(StandardCharsets.UTF_8), hasher);
            } catch (FileRealmException e) {
                throw new RealmEditException(Kind.CONFLICT, "the realm file is invalid now, fix it first: "
                        + e.getMessage());
            }
            RealmFileDocument doc = new RealmFileDocument(text);
            byte[] updated;
            try {
                change.apply(doc, onDisk);
                updated = doc.bytes();
                RealmFileParser.parse(realm.name(), source, updated, hasher);
            } catch (IOException e) {
                throw new RealmEditException(Kind.CONFLICT, "the realm file cannot be changed: " + e.getMessage());
            } catch (FileRealmException e) {
                throw new RealmEditException(Kind.INVALID, "not written, the realm would refuse the result: "
                        + e.reason() + " (" + e.keyPath() + ")");
            }
            try {
                UsersFileEditor.write(realm.file(), updated);
            } catch (IOException e) {
                throw new RealmEditException(Kind.UNAVAILABLE, "cannot write " + source + ": " + e.getMessage());
            }
            LOG.info("file realm '{}': {} through the admin API", realm.name(), what);
        }
        realm.recheck();
    }

    private static ObjectNode existing(RealmFileDocument doc, RealmContent onDisk, String name)
            throws RealmEditException, IOException {
        ObjectNode entry = onDisk.users().containsKey(name) ? doc.entry("users", "username", name) : null;
        if (entry == null) {
            throw new RealmEditException(Kind.NOT_FOUND, "no user '" + name + "'");
        }
        return entry;
    }

    private static ObjectNode existingRole(RealmFileDocument doc, RealmContent onDisk, String name)
            throws RealmEditException, IOException {
        ObjectNode entry = onDisk.roles().containsKey(name) ? doc.entry("roles", "name", name) : null;
        if (entry == null) {
            throw new RealmEditException(Kind.NOT_FOUND, "no role '" + name + "'");
        }
        return entry;
    }

    private void requireRoles(RealmContent onDisk, List<String> roles) throws RealmEditException {
        for (int i = 0; i < roles.size(); i++) {
            if (!onDisk.roles().containsKey(roles.get(i))) {
                throw new RealmEditException(Kind.INVALID, "roles[" + i + "]", "no role '" + roles.get(i)
                        + "' in realm '" + realm.name() + "' (create it first)");
            }
        }
    }

    /** Sets (or, when empty, removes) roles ({@code null}: not a user), permissions and admin permissions. */
    private static void setGrants(ObjectNode entry, List<String> roles, List<Permission> permissions,
                                  List<AdminGrantSpec> adminPermissions) {
        if (roles != null) {
            ArrayNode list = JsonNodeFactory.instance.arrayNode();
            roles.forEach(list::add);
            set(entry, "roles", list);
        }
        ArrayNode rules = JsonNodeFactory.instance.arrayNode();
        permissions.forEach(p -> rules.add(rule(p)));
        set(entry, "permissions", rules);
        ArrayNode grants = JsonNodeFactory.instance.arrayNode();
        adminPermissions.forEach(g -> grants.add(grant(g)));
        set(entry, "admin-permissions", grants);
    }

    private static void set(ObjectNode entry, String key, ArrayNode value) {
        if (value.isEmpty()) {
            entry.remove(key);
        } else {
            entry.set(key, value);
        }
    }

    /** A rule as the realm file writes it, defaults left out. */
    static ObjectNode rule(Permission p) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        boolean deny = p.effect() == Effect.DENY;
        if (p.isClientIdRule()) {
            node.put("client-id", p.topicFilter());
        } else {
            node.put("topic", p.topicFilter());
            if (p.activity() != Activity.ALL) {
                node.put("activity", p.activity().name().toLowerCase(Locale.ROOT));
            }
            if (p.qos() != Permission.ALL_QOS) {
                ArrayNode qos = node.putArray("qos");
                for (int level = 0; level <= 2; level++) {
                    if (p.allowsQos(level)) {
                        qos.add(level);
                    }
                }
            }
            if (!deny && !p.retain()) {
                node.put("retain", false);
            }
            if (!deny && !p.sharedSubscription()) {
                node.put("shared-subscription", false);
            }
            if (!deny && !p.shareGroups().isEmpty()) {
                ArrayNode groups = node.putArray("share-groups");
                p.shareGroups().forEach(groups::add);
            }
        }
        if (deny) {
            node.put("effect", "deny");
        }
        return node;
    }

    /** An admin permission entry: a bare template name when unscoped, else a mapping. */
    static JsonNode grant(AdminGrantSpec g) {
        if (g.template() != null && !g.scoped()) {
            return JsonNodeFactory.instance.textNode(g.template());
        }
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        if (g.template() != null) {
            node.put("template", g.template());
        } else {
            ArrayNode names = node.putArray("permissions");
            g.permissions().forEach(names::add);
        }
        if (g.clients() != null) {
            node.put("clients", g.clients());
        }
        if (g.topics() != null) {
            node.put("topics", g.topics());
        }
        return node;
    }
}
