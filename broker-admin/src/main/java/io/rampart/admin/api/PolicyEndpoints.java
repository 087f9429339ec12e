package io.rampart.admin.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.rampart.admin.AdminServices;
import io.rampart.admin.ban.Ban;
import io.rampart.admin.http.HttpAnswer;
import io.rampart.admin.rbac.AdminPermission;
import io.rampart.admin.rbac.Grant;
import io.rampart.core.topic.Topics;
import io.rampart.security.permission.CompiledPermissions;
import io.rampart.security.permission.Permission;
import io.rampart.security.pipeline.SecurityPipeline;
import io.rampart.security.pipeline.SecurityResult;
import io.rampart.security.realm.jwt.JwtRealm;
import io.rampart.security.spi.AuthenticationManager;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;
import io.rampart.security.spi.Realm;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * {@code POST /policy/check}, the policy simulator: may this identity connect with client id C, publish, subscribe
 * to or receive topic T at QoS q with retain r? It runs what a CONNECT runs, on the broker's own objects: the
 * listener's security pipeline (preprocessors; for a realm user, the user and its current roles read through the
 * realm as a live session's re-check reads them; every authorization manager, grants combined), then the compiled
 * permissions' explain checks, which decide exactly as the checks of a live session and name the rule that decided
 * with where it is written. Bans are checked as at CONNECT.
 *
 * <p>{@code policy:check} scoped to topics reaches only checks on those topics (a subscription's whole filter), and
 * when the grant also names clients, only simulations of a client id it matches.
 */
final class PolicyEndpoints {

    static final int MAX_CHECKS = 100;
    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final int MAX_VARIABLE_LENGTH = 1024;
    private static final Set<String> USER_REALM_TYPES = Set.of("file", "sql", "ldap");

    private final AdminServices s;

    PolicyEndpoints(AdminServices services) {
        this.s = services;
    }

    List<Route> routes() {
        return List.of(new Route("POST", "/api/v1/policy/check", "policy.check", AdminPermission.POLICY_CHECK, false,
                this::check));
    }

    /** One check: publish (topic, qos, retain), subscribe (filter, qos, share group) or receive (topic). */
    private record Check(String action, String topic, int qos, boolean retain, String shareGroup) {
        Map<String, Object> echo() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("action", action);
            m.put("topic", shareGroup == null ? topic : "$share/" + shareGroup + "/" + topic);
            if (!action.equals("receive")) {
                m.put("qos", qos);
            }
            if (action.equals("publish")) {
                m.put("retain", retain);
            }
            return m;
        }
    }

    /** Who is simulated: a realm user by name, or an identity given with its roles. */
    private record Who(String user, String realm, Identity explicit) {
    }

    private CompletionStage<HttpAnswer> check(ApiRequest r) {
        r.allowQuery();
        JsonBody body = r.json().allow(List.of("listener", "user", "realm", "identity", "clientId", "variables",
                "checks"));
        String clientId = body.string("clientId");
        List<Check> checks = checks(body.node("checks"));
        if (checks.isEmpty() && clientId == null) {
            throw RuleJson.invalid("checks", "give at least one check (or a clientId to check the CONNECT alone)");
        }
        requireScope(r, checks, clientId);
        String listener = listener(body.string("listener"));
        SecurityPipeline pipeline = s.security().get().listenerPipelines().get(listener);
        if (pipeline == null) {
            throw new ApiException(409, "listener '" + listener + "' has no security pipeline: it lets clients in only"
                    + " with allow-anonymous, and then without any restriction");
        }
        Who who = who(body);
        IdentityVariables presented = new IdentityVariables()
                .set(IdentityVariables.LISTENER, listener)
                .set(IdentityVariables.CLIENT_ID, clientId)
                .set(IdentityVariables.PROTOCOL_VERSION, "5")
                .set(IdentityVariables.USERNAME, who.user);
        variables(body.node("variables")).forEach(presented::set);
        r.audit().target("policy:" + (who.user != null ? "user:" + who.user : "identity:" + who.explicit.name()))
                .detail("listener " + listener + ", " + checks.size() + " check(s)");

        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("listener", listener);
        answer.put("pipeline", pipeline.name());
        IdentityVariables variables;
        try {
            variables = pipeline.preprocess(presented);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(refused(answer, checks, null, e.getMessage()));
        }
        return identity(pipeline, who, variables).thenCompose(identity -> {
            IdentityVariables withAttributes = variables.copy();
            identity.attributes().forEach(withAttributes::set);
            IdentityVariables frozen = withAttributes.freeze();
            return pipeline.authorize(identity, frozen).thenApply(result ->
                    decided(answer, checks, identity, who, clientId, frozen, result));
        });
    }

    private HttpAnswer decided(Map<String, Object> answer, List<Check> checks, Identity identity, Who who,
                               String clientId, IdentityVariables variables, SecurityResult result) {
        Map<String, Object> id = new LinkedHashMap<>();
        id.put("name", identity.name());
        id.put("realm", identity.realm());
        id.put("roles", new TreeSet<>(identity.roles()));
        id.put("source", who.user != null ? "realm user" : "given");
        answer.put("identity", id);
        Ban ban = s.bans().match(clientId, variables.get(IdentityVariables.USERNAME), null);
        if (ban != null) {
            return refused(answer, checks, null, "banned (" + ban.describe() + ")");
        }
        if (result instanceof SecurityResult.Refused refused) {
            return refused(answer, checks, null, refused.manager() + ": " + refused.reason());
        }
        SecurityResult.Accepted accepted = (SecurityResult.Accepted) result;
        id.put("authorizer", accepted.authorizer());
        id.put("rules", accepted.granted().size());
        CompiledPermissions permissions = accepted.permissions();
        CompiledPermissions.Verdict clientIdVerdict = clientId == null ? null : permissions.explainClientId(clientId);
        if (clientIdVerdict != null && !clientIdVerdict.allowed()) {
            return refused(answer, checks, clientIdVerdict, clientIdVerdict.reason());
        }
        Map<String, Object> connect = new LinkedHashMap<>();
        connect.put("allowed", true);
        connect.put("reason", "accepted by " + accepted.authorizer());
        if (clientIdVerdict != null) {
            connect.put("clientId", verdict(clientIdVerdict));
        }
        answer.put("connect", connect);
        List<Map<String, Object>> results = new ArrayList<>();
        for (Check c : checks) {
            CompiledPermissions.Verdict v = switch (c.action) {
                case "publish" -> permissions.explainPublish(c.topic, c.qos, c.retain);
                case "subscribe" -> permissions.explainSubscribe(c.topic, c.qos, c.shareGroup);
                default -> permissions.explainReceive(c.topic);
            };
            Map<String, Object> m = c.echo();
            m.putAll(verdict(v));
            results.add(m);
        }
        answer.put("results", results);
        return ApiJson.answer(200, answer);
    }

    /** The CONNECT is refused: every check is denied with that reason. */
    private static HttpAnswer refused(Map<String, Object> answer, List<Check> checks,
                                      CompiledPermissions.Verdict clientId, String reason) {
        Map<String, Object> connect = new LinkedHashMap<>();
        connect.put("allowed", false);
        connect.put("reason", reason);
        if (clientId != null) {
            connect.put("clientId", verdict(clientId));
        }
        answer.put("connect", connect);
        List<Map<String, Object>> results = new ArrayList<>();
        for (Check c : checks) {
            Map<String, Object> m = c.echo();
            m.put("allowed", false);
            m.put("reason", "the CONNECT is refused: " + reason);
            m.put("rule", null);
            results.add(m);
        }
        answer.put("results", results);
        return ApiJson.answer(200, answer);
    }

    private static Map<String, Object> verdict(CompiledPermissions.Verdict v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("allowed", v.allowed());
        m.put("reason", v.reason());
        m.put("rule", RuleJson.decidingRule(v));
        return m;
    }

    // ------------------------------------------------------------------ the identity

    private CompletionStage<Identity> identity(SecurityPipeline pipeline, Who who, IdentityVariables variables) {
        if (who.explicit != null) {
            return CompletableFuture.completedFuture(who.explicit);
        }
        List<String> realms = new ArrayList<>();
        if (who.realm != null) {
            realms.add(who.realm);
        } else {
            for (AuthenticationManager m : pipeline.authenticators()) {
                Realm realm = m.realm() == null ? null : s.security().get().realms().get(m.realm());
                if (realm != null && USER_REALM_TYPES.contains(realm.type()) && !realms.contains(m.realm())) {
                    realms.add(m.realm());
                }
            }
        }
        return currentUser(pipeline, realms, 0, who.user, variables);
    }

    /** Asks the realms in turn for the user; the first that has it answers. */
    private CompletionStage<Identity> currentUser(SecurityPipeline pipeline, List<String> realms, int index,
                                                  String user, IdentityVariables variables) {
        if (index >= realms.size()) {
            throw ApiException.notFound("no user '" + user + "' in " + (realms.size() == 1 ? "realm '" + realms.get(0)
                    + "'" : "the realms of pipeline '" + pipeline.name() + "' " + realms), false);
        }
        String realm = realms.get(index);
        return pipeline.currentUser(realm, user, variables).thenCompose(decision -> {
            if (decision instanceof Decision.Allow<Identity> allow) {
                return CompletableFuture.completedFuture(allow.value());
            }
            if (decision instanceof Decision.Deny<Identity> deny && deny.kind() == Decision.DenyKind.UNAVAILABLE) {
                throw new ApiException(503, "realm '" + realm + "' cannot answer: " + deny.reason());
            }
            if (decision instanceof Decision.NoOpinion<Identity> none && realms.size() == 1) {
                throw new ApiException(400, "realm: " + none.reason(), List.of("realm"), null);
            }
            return currentUser(pipeline, realms, index + 1, user, variables);
        });
    }

    private Who who(JsonBody body) {
        String user = body.string("user");
        JsonNode identity = body.node("identity");
        boolean hasIdentity = identity != null && !identity.isNull();
        if ((user == null) == !hasIdentity) {
            throw new ApiException(400, "give exactly one of user (a realm user) and identity (a name with roles)",
                    List.of("user", "identity"), null);
        }
        if (user != null) {
            String realm = body.string("realm");
            if (realm != null) {
                Realm known = s.security().get().realms().get(realm);
                if (known == null || !USER_REALM_TYPES.contains(known.type())) {
                    throw RuleJson.invalid("realm", known == null ? "no realm '" + realm + "'"
                            : "realm '" + realm + "' is a " + known.type() + " realm, it has no users to read (simulate "
                            + "an identity instead)");
                }
            }
            return new Who(RealmEndpoints.checkedName(user, "user"), realm, null);
        }
        if (body.string("realm") != null) {
            throw RuleJson.invalid("realm", "goes with user; an identity names its realm itself");
        }
        return new Who(null, null, explicit(identity));
    }

    /** {@code {"name": "...", "roles": [...], "realm": "...", "scopes": [...], "attributes": {...}}}. */
    private Identity explicit(JsonNode node) {
        if (!node.isObject()) {
            throw RuleJson.invalid("identity", "must be an object with name and roles");
        }
        List<String> unknown = new ArrayList<>();
        node.fieldNames().forEachRemaining(k -> {
            if (!List.of("name", "roles", "realm", "scopes", "attributes").contains(k)) {
                unknown.add("identity." + k);
            }
        });
        if (!unknown.isEmpty()) {
            throw new ApiException(400, "unknown field" + (unknown.size() == 1 ? " " : "s ") + String.join(", ", unknown)
                    + " (allowed: name, roles, realm, scopes, attributes)", unknown, null);
        }
        JsonNode nameNode = node.get("name");
        if (nameNode == null || !nameNode.isTextual() || nameNode.textValue().isEmpty()) {
            throw RuleJson.invalid("identity.name", "is required");
        }
        String name = RealmEndpoints.checkedName(nameNode.textValue(), "identity.name");
        Set<String> roles = new LinkedHashSet<>(strings(node.get("roles"), "identity.roles"));
        String realm = node.hasNonNull("realm") ? node.get("realm").asText() : null;
        List<Permission> grants = List.of();
        List<String> scopes = strings(node.get("scopes"), "identity.scopes");
        if (!scopes.isEmpty()) {
            if (!(realm != null && s.security().get().realms().get(realm) instanceof JwtRealm jwt)) {
                throw RuleJson.invalid("identity.scopes", "token scopes need the identity's realm to be a jwt realm");
            }
            grants = jwt.settings().permissionsOfScopes(scopes);
        } else if (realm != null && !s.security().get().realms().containsKey(realm)) {
            throw RuleJson.invalid("identity.realm", "no realm '" + realm + "'");
        }
        Map<String, String> attributes = variables(node.get("attributes"));
        return new Identity(name, roles, grants, attributes, "policy-check", realm);
    }

    private static List<String> strings(JsonNode list, String field) {
        List<String> out = new ArrayList<>();
        if (list == null || list.isNull()) {
            return out;
        }
        if (!list.isArray()) {
            throw RuleJson.invalid(field, "must be a list of strings");
        }
        for (JsonNode e : list) {
            if (!e.isTextual() || e.textValue().isEmpty()) {
                throw RuleJson.invalid(field, "must be a list of non-empty strings");
            }
            out.add(e.textValue());
        }
        return out;
    }

    /** Identity variables as the CONNECT presents them (or an identity's attributes): names and string values. */
    private static Map<String, String> variables(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw RuleJson.invalid("variables", "must be an object of names and string values");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!VARIABLE.matcher(e.getKey()).matches() || !e.getValue().isTextual()
                    || e.getValue().textValue().length() > MAX_VARIABLE_LENGTH
                    || e.getValue().textValue().indexOf('\0') >= 0) {
                throw RuleJson.invalid("variables." + e.getKey(), "a variable is a name of letters, digits, '.', '_'"
                        + " or '-' with a string value of at most " + MAX_VARIABLE_LENGTH + " characters");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    private String listener(String named) {
        Map<String, SecurityPipeline> listeners = s.security().get().listenerPipelines();
        if (named != null) {
            if (!listeners.containsKey(named)) {
                throw RuleJson.invalid("listener", "no MQTT listener '" + named + "' (listeners: "
                        + String.join(", ", listeners.keySet()) + ")");
            }
            return named;
        }
        Set<SecurityPipeline> distinct = new LinkedHashSet<>(listeners.values());
        if (distinct.size() == 1 && !listeners.isEmpty()) {
            return listeners.keySet().iterator().next();
        }
        throw RuleJson.invalid("listener", "name the MQTT listener whose pipeline decides (listeners: "
                + String.join(", ", listeners.keySet()) + ")");
    }

    // ------------------------------------------------------------------ the checks

    private static List<Check> checks(JsonNode list) {
        List<Check> out = new ArrayList<>();
        if (list == null || list.isNull()) {
            return out;
        }
        if (!list.isArray()) {
            throw RuleJson.invalid("checks", "must be a list");
        }
        if (list.size() > MAX_CHECKS) {
            throw RuleJson.invalid("checks", "at most " + MAX_CHECKS + " checks per request");
        }
        for (int i = 0; i < list.size(); i++) {
            out.add(check(list.get(i), "checks[" + i + "]"));
        }
        return out;
    }

    private static Check check(JsonNode node, String path) {
        if (!node.isObject()) {
            throw RuleJson.invalid(path, "must be an object with action and topic");
        }
        List<String> unknown = new ArrayList<>();
        node.fieldNames().forEachRemaining(k -> {
            if (!List.of("action", "topic", "qos", "retain").contains(k)) {
                unknown.add(path + "." + k);
            }
        });
        if (!unknown.isEmpty()) {
            throw new ApiException(400, "unknown field" + (unknown.size() == 1 ? " " : "s ") + String.join(", ", unknown)
                    + " (allowed: action, topic, qos, retain)", unknown, null);
        }
        String action = node.path("action").asText("").toLowerCase(Locale.ROOT);
        if (!List.of("publish", "subscribe", "receive").contains(action)) {
            throw RuleJson.invalid(path + ".action", "must be publish, subscribe or receive");
        }
        JsonNode topicNode = node.get("topic");
        if (topicNode == null || !topicNode.isTextual()) {
            throw RuleJson.invalid(path + ".topic", "is required");
        }
        String topic = topicNode.textValue();
        String shareGroup = null;
        String problem;
        if (action.equals("subscribe")) {
            problem = Topics.validateTopicFilter(topic, 65_535, 65_535);
            if (problem == null && Topics.isShared(topic)) {
                int slash = topic.indexOf('/', "$share/".length());
                shareGroup = topic.substring("$share/".length(), slash);
                topic = topic.substring(slash + 1);
            }
        } else {
            problem = Topics.validateTopicName(topic, 65_535, 65_535);
        }
        if (problem != null) {
            throw RuleJson.invalid(path + ".topic", problem);
        }
        int qos = 0;
        if (node.has("qos")) {
            if (action.equals("receive") || !node.get("qos").isInt() || node.get("qos").intValue() < 0
                    || node.get("qos").intValue() > 2) {
                throw RuleJson.invalid(path + ".qos", action.equals("receive") ? "does not apply to receive"
                        : "must be 0, 1 or 2");
            }
            qos = node.get("qos").intValue();
        }
        boolean retain = false;
        if (node.has("retain")) {
            if (!action.equals("publish") || !node.get("retain").isBoolean()) {
                throw RuleJson.invalid(path + ".retain", action.equals("publish") ? "must be true or false"
                        : "applies to publish only");
            }
            retain = node.get("retain").booleanValue();
        }
        return new Check(action, topic, qos, retain, shareGroup);
    }

    /** 403 unless a {@code policy:check} grant reaches every check's topic (and, if it names clients, the client). */
    private static void requireScope(ApiRequest r, List<Check> checks, String clientId) {
        List<Grant> grants = r.principal().grants().grants().stream()
                .filter(g -> g.has(AdminPermission.POLICY_CHECK)).toList();
        if (checks.isEmpty() && grants.stream().noneMatch(g -> reachesClient(g, clientId))) {
            throw new ApiException(403, "policy:check does not reach client id '" + clientId + "'");
        }
        for (Check c : checks) {
            boolean reached = grants.stream().anyMatch(g -> reachesClient(g, clientId)
                    && (c.action.equals("subscribe") ? g.coversFilter(c.topic) : g.coversTopic(c.topic)));
            if (!reached) {
                throw new ApiException(403, "policy:check does not reach " + c.action + " on '" + c.topic + "'"
                        + (clientId == null ? "" : " for client id '" + clientId + "'"));
            }
        }
    }

    private static boolean reachesClient(Grant g, String clientId) {
        if (!g.scoped() || g.rule().clients() == null) {
            return true;
        }
        return clientId != null && g.coversClient(clientId);
    }
}
