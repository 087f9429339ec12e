package io.rampart.admin.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.rampart.admin.rbac.GrantRule;
import io.rampart.security.permission.Activity;
import io.rampart.security.permission.AdminGrantSpec;
import io.rampart.security.permission.ClientIdPattern;
import io.rampart.security.permission.CompiledPermissions;
import io.rampart.security.permission.Effect;
import io.rampart.security.permission.Permission;
import io.rampart.security.permission.RuleOrigin;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Topic and client-id rules, and admin permission entries, as the API reads and writes them: the keys of a realm
 * file in camelCase ({@code {"topic": "a/#", "activity": "publish", "qos": [0, 1], "retain": false}},
 * {@code {"clientId": "${mqtt-username}-*"}}), each rule shown with where it is written ({@code origin}, read only).
 * Every problem of a request names its field ({@code permissions[2].qos}). The broker shows the rule that decided a
 * denial ({@link #decidingRule}) in this same form wherever it reports one.
 */
public final class RuleJson {

    private static final List<String> RULE_KEYS = List.of("topic", "clientId", "activity", "qos", "retain",
            "sharedSubscription", "shareGroups", "effect", "origin");
    private static final List<String> CLIENT_ID_KEYS = List.of("clientId", "effect", "origin");
    private static final List<String> GRANT_KEYS = List.of("template", "permissions", "clients", "topics", "origin");

    private RuleJson() {
    }

    /** A rule as the API shows it. */
    static Map<String, Object> rule(Permission p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("effect", p.effect().name().toLowerCase(Locale.ROOT));
        if (p.isClientIdRule()) {
            m.put("clientId", p.topicFilter());
        } else {
            m.put("topic", p.topicFilter());
            m.put("activity", p.activity().name().toLowerCase(Locale.ROOT));
            List<Integer> qos = new ArrayList<>();
            for (int level = 0; level <= 2; level++) {
                if (p.allowsQos(level)) {
                    qos.add(level);
                }
            }
            m.put("qos", qos);
            if (p.effect() == Effect.ALLOW) {
                m.put("retain", p.retain());
                m.put("sharedSubscription", p.sharedSubscription());
                m.put("shareGroups", List.copyOf(new java.util.TreeSet<>(p.shareGroups())));
            }
        }
        if (p.origin() != null) {
            m.put("origin", origin(p.origin()));
        }
        return m;
    }

    static Map<String, Object> origin(RuleOrigin o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("realm", o.realm());
        m.put("holder", o.holder());
        m.put("location", o.location());
        if (o.line() > 0) {
            m.put("line", o.line());
        }
        if (o.rowId() > 0) {
            m.put("rowId", o.rowId());
        }
        m.put("description", o.describe());
        return m;
    }

    /**
     * The rule that decided a check as the policy simulator shows it: the rule as written, its {@code origin} and,
     * as {@code compiled}, its filter or pattern with the session's placeholders substituted; {@code null} when no
     * rule decided (a default deny).
     */
    public static Map<String, Object> decidingRule(CompiledPermissions.Verdict v) {
        if (v.rule() == null) {
            return null;
        }
        Map<String, Object> rule = rule(v.rule());
        rule.put("compiled", v.compiled());
        return rule;
    }

    static List<Map<String, Object>> rules(List<Permission> rules) {
        return rules.stream().map(RuleJson::rule).toList();
    }

    /** An admin permission entry as the API shows it. */
    static Map<String, Object> grant(AdminGrantSpec g) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (g.template() != null) {
            m.put("template", g.template());
        } else {
            m.put("permissions", g.permissions());
        }
        if (g.clients() != null) {
            m.put("clients", g.clients());
        }
        if (g.topics() != null) {
            m.put("topics", g.topics());
        }
        if (g.origin() != null) {
            m.put("origin", origin(g.origin()));
        }
        return m;
    }

    static List<Map<String, Object>> grants(List<AdminGrantSpec> grants) {
        return grants.stream().map(RuleJson::grant).toList();
    }

    // ------------------------------------------------------------------ reading requests

    /** The rules of list field {@code field}; empty when absent. */
    static List<Permission> rules(JsonNode list, String field) {
        List<Permission> out = new ArrayList<>();
        for (int i = 0; i < size(list, field); i++) {
            out.add(rule(list.get(i), field + "[" + i + "]"));
        }
        return out;
    }

    private static Permission rule(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw invalid(path, "must be an object such as {\"topic\": \"a/#\"} or {\"clientId\": \"a-*\"}");
        }
        Effect effect = switch (word(node, "effect", path, "allow")) {
            case "allow" -> Effect.ALLOW;
            case "deny" -> Effect.DENY;
            default -> throw invalid(path + ".effect", "must be allow or deny");
        };
        if (node.has("clientId")) {
            keys(node, path, CLIENT_ID_KEYS, " (a client-id rule takes only clientId and effect)");
            String pattern = text(node, "clientId", path);
            String problem = ClientIdPattern.problem(pattern);
            if (problem != null) {
                throw invalid(path + ".clientId", problem);
            }
            return Permission.clientId(pattern, effect);
        }
        keys(node, path, RULE_KEYS, "");
        if (!node.has("topic")) {
            throw invalid(path + ".topic", "is required (or clientId for a client-id rule)");
        }
        String topic = text(node, "topic", path);
        String problem = Permission.topicFilterProblem(topic);
        if (problem != null) {
            throw invalid(path + ".topic", problem);
        }
        Activity activity = switch (word(node, "activity", path, "all")) {
            case "publish" -> Activity.PUBLISH;
            case "subscribe" -> Activity.SUBSCRIBE;
            case "all" -> Activity.ALL;
            default -> throw invalid(path + ".activity", "must be publish, subscribe or all");
        };
        int qos = Permission.ALL_QOS;
        if (node.has("qos") && !node.get("qos").isNull()) {
            JsonNode levels = node.get("qos");
            if (!levels.isArray() || levels.isEmpty()) {
                throw invalid(path + ".qos", "must be a non-empty list of 0, 1 and 2");
            }
            qos = 0;
            for (JsonNode level : levels) {
                if (!level.isInt() || level.intValue() < 0 || level.intValue() > 2) {
                    throw invalid(path + ".qos", "must be a non-empty list of 0, 1 and 2");
                }
                qos |= 1 << level.intValue();
            }
        }
        for (String allowOnly : List.of("retain", "sharedSubscription", "shareGroups")) {
            if (effect == Effect.DENY && node.has(allowOnly)) {
                throw invalid(path + "." + allowOnly, "only applies to allow rules (a deny rule denies the topic "
                        + "whatever the flags)");
            }
        }
        boolean retain = bool(node, "retain", path);
        boolean shared = bool(node, "sharedSubscription", path);
        Set<String> groups = new LinkedHashSet<>();
        JsonNode groupList = node.get("shareGroups");
        for (int g = 0; g < size(groupList, path + ".shareGroups"); g++) {
            JsonNode group = groupList.get(g);
            String at = path + ".shareGroups[" + g + "]";
            if (!group.isTextual() || group.textValue().isEmpty()) {
                throw invalid(at, "must be a non-empty string");
            }
            String name = group.textValue();
            if (name.indexOf('/') >= 0 || name.indexOf('+') >= 0 || name.indexOf('#') >= 0
                    || name.chars().anyMatch(Character::isISOControl)) {
                throw invalid(at, "a share group may not contain '/', '+', '#' or control characters");
            }
            groups.add(name);
        }
        if (!groups.isEmpty() && !shared) {
            throw invalid(path + ".shareGroups", "shareGroups given but sharedSubscription is false");
        }
        return new Permission(topic, activity, qos, retain, shared, groups, effect);
    }

    /**
     * The admin permission entries of list field {@code field}: a template name, or
     * {@code {"template"|"permissions", "clients", "topics"}}, checked as {@code admin.roles} entries are.
     */
    static List<AdminGrantSpec> grants(JsonNode list, String field) {
        List<AdminGrantSpec> out = new ArrayList<>();
        for (int i = 0; i < size(list, field); i++) {
            String path = field + "[" + i + "]";
            JsonNode node = list.get(i);
            AdminGrantSpec spec;
            if (node.isTextual()) {
                spec = spec(node.textValue(), List.of(), null, null, path);
            } else if (node.isObject()) {
                keys(node, path, GRANT_KEYS, "");
                List<String> names = new ArrayList<>();
                JsonNode permissions = node.get("permissions");
                for (int p = 0; p < size(permissions, path + ".permissions"); p++) {
                    if (!permissions.get(p).isTextual()) {
                        throw invalid(path + ".permissions[" + p + "]", "must be a permission name such as clients:read");
                    }
                    names.add(permissions.get(p).textValue());
                }
                spec = spec(optionalText(node, "template", path), names, optionalText(node, "clients", path),
                        optionalText(node, "topics", path), path);
            } else {
                throw invalid(path, "must be a template name or an object with template or permissions");
            }
            try {
                GrantRule.fromRealm(spec);
            } catch (IllegalArgumentException e) {
                throw keyed(path, e.getMessage());
            }
            out.add(spec);
        }
        return out;
    }

    private static AdminGrantSpec spec(String template, List<String> permissions, String clients, String topics,
                                       String path) {
        String problem = AdminGrantSpec.problem(template, permissions, clients, topics);
        if (problem != null) {
            throw keyed(path, problem);
        }
        return new AdminGrantSpec(template, permissions, clients, topics, null);
    }

    /** "key: reason" from a validation as a 400 naming {@code path.key}. */
    private static ApiException keyed(String path, String keyAndReason) {
        int colon = keyAndReason.indexOf(": ");
        if (colon < 0) {
            return invalid(path, keyAndReason);
        }
        return invalid(path + "." + keyAndReason.substring(0, colon), keyAndReason.substring(colon + 2));
    }

    private static int size(JsonNode list, String field) {
        if (list == null || list.isNull()) {
            return 0;
        }
        if (!list.isArray()) {
            throw invalid(field, "must be a list");
        }
        return list.size();
    }

    private static void keys(JsonNode node, String path, List<String> allowed, String hint) {
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                unknown.add(path + "." + name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new ApiException(400, "unknown field" + (unknown.size() == 1 ? " " : "s ") + String.join(", ", unknown)
                    + " (allowed: " + String.join(", ", allowed) + ")" + hint, unknown, null);
        }
    }

    private static String text(JsonNode node, String key, String path) {
        JsonNode v = node.get(key);
        if (v == null || !v.isTextual() || v.textValue().isEmpty()) {
            throw invalid(path + "." + key, "must be a non-empty string");
        }
        return v.textValue();
    }

    private static String optionalText(JsonNode node, String key, String path) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        return text(node, key, path);
    }

    private static String word(JsonNode node, String key, String path, String defaultValue) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (!v.isTextual()) {
            throw invalid(path + "." + key, "must be a string");
        }
        return v.textValue().strip().toLowerCase(Locale.ROOT);
    }

    private static boolean bool(JsonNode node, String key, String path) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return true;
        }
        if (!v.isBoolean()) {
            throw invalid(path + "." + key, "must be true or false");
        }
        return v.booleanValue();
    }

    static ApiException invalid(String field, String reason) {
        return new ApiException(400, field + ": " + reason, List.of(field), null);
    }
}
