package io.rampart.admin.api;

import io.rampart.admin.AdminServices;
import io.rampart.admin.http.HttpAnswer;
import io.rampart.admin.rbac.AdminPermission;
import io.rampart.security.hash.PasswordHasher;
import io.rampart.security.realm.admin.RealmEditException;
import io.rampart.security.realm.admin.RealmEditor;
import io.rampart.security.realm.admin.RealmRole;
import io.rampart.security.realm.admin.RealmUser;
import io.rampart.security.spi.Realm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /realms}: the users and roles of file and SQL realms, their topic and client-id rules and their admin
 * permissions, read ({@code users:read}) and changed ({@code users:write}) while the broker runs. A change applies
 * at once: to new CONNECTs and, through the realm's re-check, to live sessions. LDAP and JWT realms (and SQL realms
 * read through custom queries) are read-only here: 409 with the reason. Passwords are set, never shown.
 */
final class RealmEndpoints {

    /** The password policy of the admin API (also for {@code PUT /session/password}). */
    static final int MIN_PASSWORD_LENGTH = SessionEndpoints.MIN_PASSWORD_LENGTH;
    static final int MAX_PASSWORD_LENGTH = 1024;
    static final int MAX_NAME_LENGTH = 256;
    private static final String REALM = "/api/v1/realms/{realm}";

    private final AdminServices s;
    private final PasswordHasher hasher = new PasswordHasher();

    RealmEndpoints(AdminServices services) {
        this.s = services;
    }

    List<Route> routes() {
        AdminPermission read = AdminPermission.USERS_READ;
        AdminPermission write = AdminPermission.USERS_WRITE;
        return List.of(
                Route.sync("GET", "/api/v1/realms", "realms.list", read, false, this::realms),
                Route.sync("GET", REALM + "/users", "realms.users.list", read, false, this::listUsers),
                Route.sync("POST", REALM + "/users", "realms.users.create", write, false, this::createUser),
                Route.sync("GET", REALM + "/users/{name}", "realms.users.get", read, false, this::getUser),
                Route.sync("PUT", REALM + "/users/{name}", "realms.users.update", write, false, this::updateUser),
                Route.sync("DELETE", REALM + "/users/{name}", "realms.users.delete", write, false, this::deleteUser),
                Route.sync("PUT", REALM + "/users/{name}/password", "realms.users.password", write, false,
                        this::password),
                Route.sync("GET", REALM + "/roles", "realms.roles.list", read, false, this::listRoles),
                Route.sync("POST", REALM + "/roles", "realms.roles.create", write, false, this::createRole),
                Route.sync("GET", REALM + "/roles/{name}", "realms.roles.get", read, false, this::getRole),
                Route.sync("PUT", REALM + "/roles/{name}", "realms.roles.update", write, false, this::updateRole),
                Route.sync("DELETE", REALM + "/roles/{name}", "realms.roles.delete", write, false, this::deleteRole));
    }

    private HttpAnswer realms(ApiRequest r) {
        r.allowQuery();
        List<Map<String, Object>> items = new ArrayList<>();
        for (Realm realm : s.security().get().realms().values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", realm.name());
            m.put("type", realm.type());
            RealmEditor editor = s.security().get().editor(realm.name());
            m.put("editable", editor != null);
            if (editor == null) {
                m.put("readOnlyReason", readOnlyReason(realm));
            }
            items.add(m);
        }
        return ApiJson.answer(200, Map.of("items", items));
    }

    // ------------------------------------------------------------------ users

    private HttpAnswer listUsers(ApiRequest r) {
        r.allowQuery("limit", "cursor");
        RealmEditor editor = editor(r);
        int limit = Paging.limit(r.query("limit"));
        String after = Paging.decode(r.query("cursor"));
        List<RealmUser> page = edit(() -> editor.users(after, limit + 1));
        List<Map<String, Object>> items = new ArrayList<>();
        for (RealmUser u : page.subList(0, Math.min(limit, page.size()))) {
            items.add(summary(u));
        }
        return ApiJson.page(items, page.size() > limit ? page.get(limit - 1).name() : null);
    }

    private HttpAnswer getUser(ApiRequest r) {
        r.allowQuery();
        RealmEditor editor = editor(r);
        String name = name(r);
        RealmUser user = edit(() -> editor.user(name)).orElseThrow(() -> noUser(r, name));
        return ApiJson.answer(200, view(user));
    }

    private HttpAnswer createUser(ApiRequest r) {
        r.allowQuery();
        RealmEditor editor = editor(r);
        JsonBody body = r.json().allow(List.of("username", "password", "enabled", "roles", "permissions",
                "adminPermissions"));
        String name = checkedName(body.requiredString("username"), "username");
        String hash = body.has("password") && body.node("password") != null && !body.node("password").isNull()
                ? hashed(body, "password") : null;
        RealmUser user = new RealmUser(name, hash != null, body.bool("enabled", true), names(body, "roles"),
                RuleJson.rules(body.node("permissions"), "permissions"),
                RuleJson.grants(body.node("adminPermissions"), "adminPermissions"));
        r.audit().target(target(r, "user", name));
        edit(() -> {
            editor.createUser(user, hash);
            return null;
        });
        RealmUser created = edit(() -> editor.user(name)).orElse(user);
        r.audit().change(null, ApiJson.text(view(created)));
        return ApiJson.answer(201, view(created)).with("Location", "/api/v1/realms/"
                + PathCodec.encode(realmName(r)) + "/users/" + PathCodec.encode(name));
    }

    private HttpAnswer updateUser(ApiRequest r) {
        r.allowQuery();
        RealmEditor editor = editor(r);
        String name = name(r);
        JsonBody body = r.json().allow(List.of("enabled", "roles", "permissions", "adminPermissions"));
        r.audit().target(target(r, "user", name));
        RealmUser before = edit(() -> editor.user(name)).orElseThrow(() -> noUser(r, name));
        RealmUser after = new RealmUser(name, before.hasPassword(), body.bool("enabled", before.enabled()),
                body.has("roles") ? names(body, "roles") : before.roles(),
                body.has("permissions") ? RuleJson.rules(body.node("permissions"), "permissions") : before.permissions(),
                body.has("adminPermissions") ? RuleJson.grants(body.node("adminPermissions"), "adminPermissions")
                        : before.adminPermissions());
        edit(() -> {
            editor.updateUser(after);
            return null;
        });
        RealmUser now = edit(() -> editor.user(name)).orElse(after);
        r.audit().change(ApiJson.text(view(before)), ApiJson.text(view(now)));
        return ApiJson.answer(200, view(now));
    }

    private HttpAnswer deleteUser(ApiRequest r) {
        r.allowQuery();
        RealmEditor editor = editor(r);
        String name = name(r);
        r.audit().target(target(r, "user", name));
        RealmUser before = edit(() -> editor.user(name)).orElseThrow(() -> noUser(r, name));
        edit(() -> {
            editor.deleteUser(name);
            return null;
        });
        r.audit().change(ApiJson.text(view(before)), null);
        return HttpAnswer.empty(204);
    }

    private HttpAnswer password(ApiRequest r) {
        r.allowQuery();
        RealmEditor editor = editor(r);
        String name = name(r);
        JsonBody body = r.json().allow(List.of("password"));
        r.audit().target(target(r, "user", name));
        RealmUser before = edit(() -> editor.user(name)).orElseThrow(() -> noUser(r, name));
        String hash = hashed(body, "password");
        edit(() -> {
            editor.setPassword(name, hash);
            return null;
        });
        r.audit().change("{\"hasPassword\":" + before.hasPassword() + "}", "{\"hasPassword\":true}")
                .detail(before.hasPassword() ? "password reset" : "password set");
        return HttpAnswer.empty(204);
    }

    // ------------------------------------------------------------------ roles

    private HttpAnswer listRoles(ApiRequest r) {
        r.allowQuery("limit", "cursor");
        RealmEditor editor = editor(r);
        int limit = Paging.limit(r.query("limit"));
        String after = Paging.decode(r.query("cursor"));
        List<RealmRole> page = edit(() -> editor.roles(after, limit + 1));
        List<Map<String, Object>> items = new ArrayList<>();
        for (RealmRole role : page.subList(0, Math.min(limit, page.size()))) {
            items.add(view(role));
        }
        return ApiJson.page(items, page.size() > limit ? page.get(limit - 1).name() : null);
    }

    private HttpAnswer getRole(ApiRequest r) {
        r.allowQuery();
        RealmEditor editor = editor(r);
        String name = name(r);
        RealmRole role = edit(() -> editor.role(name)).orElseThrow(() -> noRole(r, name));
        return ApiJson.answer(200, view(role));
    }

    private HttpAnswer createRole(ApiRequest r) {
        r.allowQuery();
        RealmEditor editor = editor(r);
        JsonBody body = r.json().allow(List.of("name", "permissions", "adminPermissions"));
        String name = checkedName(body.requiredString("name"), "name");
        RealmRole role = new RealmRole(name, RuleJson.rules(body.node("permissions"), "permissions"),
                RuleJson.grants(body.node("adminPermissions"), "adminPermissions"));
        r.audit().target(target(r, "role", name));
        edit(() -> {
            editor.createRole(role);
            return null;
        });
        RealmRole created = edit(() -> editor.role(name)).orElse(role);
        r.audit().change(null, ApiJson.text(view(created)));
        return ApiJson.answer(201, view(created)).with("Location", "/api/v1/realms/"
                + PathCodec.encode(realmName(r)) + "/roles/" + PathCodec.encode(name));
    }

    private HttpAnswer updateRole(ApiRequest r) {
        r.allowQuery();
        RealmEditor editor = editor(r);
        String name = name(r);
        JsonBody body = r.json().allow(List.of("permissions", "adminPermissions"));
        r.audit().target(target(r, "role", name));
        RealmRole before = edit(() -> editor.role(name)).orElseThrow(() -> noRole(r, name));
        RealmRole after = new RealmRole(name,
                body.has("permissions") ? RuleJson.rules(body.node("permissions"), "permissions") : before.permissions(),
                body.has("adminPermissions") ? RuleJson.grants(body.node("adminPermissions"), "adminPermissions")
                        : before.adminPermissions());
        edit(() -> {
            editor.updateRole(after);
            return null;
        });
        RealmRole now = edit(() -> editor.role(name)).orElse(after);
        r.audit().change(ApiJson.text(view(before)), ApiJson.text(view(now)));
        return ApiJson.answer(200, view(now));
    }

    private HttpAnswer deleteRole(ApiRequest r) {
        r.allowQuery();
        RealmEditor editor = editor(r);
        String name = name(r);
        r.audit().target(target(r, "role", name));
        RealmRole before = edit(() -> editor.role(name)).orElseThrow(() -> noRole(r, name));
        edit(() -> {
            editor.deleteRole(name);
            return null;
        });
        r.audit().change(ApiJson.text(view(before)), null);
        return HttpAnswer.empty(204);
    }

    // ------------------------------------------------------------------ helpers

    private String realmName(ApiRequest r) {
        return PathCodec.decode(r.rawPathParam("realm"));
    }

    private String name(ApiRequest r) {
        return PathCodec.decode(r.rawPathParam("name"));
    }

    /** The editor of the path's realm: 404 for an unknown realm, 409 for one that cannot be changed here. */
    private RealmEditor editor(ApiRequest r) {
        String name = realmName(r);
        Realm realm = s.security().get().realms().get(name);
        if (realm == null) {
            throw ApiException.notFound("no realm '" + name + "'", false);
        }
        RealmEditor editor = s.security().get().editor(name);
        if (editor == null) {
            throw new ApiException(409, readOnlyReason(realm));
        }
        return editor;
    }

    static String readOnlyReason(Realm realm) {
        return switch (realm.type()) {
            case "ldap" -> "realm '" + realm.name() + "' is an ldap realm: its users and groups live in the directory"
                    + " and are read-only here; change them there (POST /api/v1/policy/check shows what a user may do)";
            case "jwt" -> "realm '" + realm.name() + "' is a jwt realm: identities come with their tokens, it has no"
                    + " users or roles to change here (its scope-permissions are configuration)";
            case "sql" -> "realm '" + realm.name() + "' reads its users through custom queries: change them in that"
                    + " database";
            default -> "realm '" + realm.name() + "' (" + realm.type() + ") cannot be changed through the admin API";
        };
    }

    private String target(ApiRequest r, String kind, String name) {
        return "realm:" + realmName(r) + "/" + kind + ":" + name;
    }

    private ApiException noUser(ApiRequest r, String name) {
        return ApiException.notFound("no user '" + name + "' in realm '" + realmName(r) + "'", false);
    }

    private ApiException noRole(ApiRequest r, String name) {
        return ApiException.notFound("no role '" + name + "' in realm '" + realmName(r) + "'", false);
    }

    /** A user or role name: 1 to 256 characters, no control characters, no white space at either end. */
    static String checkedName(String name, String field) {
        if (name.length() > MAX_NAME_LENGTH || name.chars().anyMatch(Character::isISOControl)
                || !name.strip().equals(name)) {
            throw RuleJson.invalid(field, "must be 1 to " + MAX_NAME_LENGTH + " characters without control characters"
                    + " or white space at either end");
        }
        return name;
    }

    private static List<String> names(JsonBody body, String field) {
        List<String> names = body.strings(field);
        for (int i = 0; i < names.size(); i++) {
            checkedName(names.get(i).isEmpty() ? " " : names.get(i), field + "[" + i + "]");
        }
        return names.stream().distinct().toList();
    }

    /** The hash of a new password that meets the policy; the characters are wiped. */
    private String hashed(JsonBody body, String field) {
        char[] password = body.secret(field);
        try {
            if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
                throw RuleJson.invalid(field, "must have " + MIN_PASSWORD_LENGTH + " to " + MAX_PASSWORD_LENGTH
                        + " characters");
            }
            for (char c : password) {
                if (Character.isISOControl(c)) {
                    throw RuleJson.invalid(field, "must not contain control characters");
                }
            }
            return hasher.hash(password);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    @FunctionalInterface
    private interface Edit<T> {
        T run() throws RealmEditException;
    }

    private static <T> T edit(Edit<T> edit) {
        try {
            return edit.run();
        } catch (RealmEditException e) {
            throw switch (e.kind()) {
                case NOT_FOUND -> ApiException.notFound(e.getMessage(), false);
                case EXISTS -> new ApiException(409, e.getMessage(),
                        e.field() == null ? List.of() : List.of(e.field()), null);
                case INVALID -> new ApiException(400, e.field() == null ? e.getMessage() : e.field() + ": "
                        + e.getMessage(), e.field() == null ? List.of() : List.of(e.field()), null);
                case CONFLICT -> new ApiException(409, e.getMessage());
                case UNAVAILABLE -> new ApiException(503, e.getMessage());
            };
        }
    }

    private static Map<String, Object> summary(RealmUser u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("username", u.name());
        m.put("hasPassword", u.hasPassword());
        m.put("enabled", u.enabled());
        m.put("roles", u.roles());
        return m;
    }

    static Map<String, Object> view(RealmUser u) {
        Map<String, Object> m = summary(u);
        m.put("permissions", RuleJson.rules(u.permissions()));
        m.put("adminPermissions", RuleJson.grants(u.adminPermissions()));
        return m;
    }

    static Map<String, Object> view(RealmRole role) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", role.name());
        m.put("permissions", RuleJson.rules(role.permissions()));
        m.put("adminPermissions", RuleJson.grants(role.adminPermissions()));
        return m;
    }
}
