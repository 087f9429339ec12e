package io.rampart.admin.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rampart.admin.rbac.AdminGrants;
import io.rampart.admin.rbac.AdminPermission;
import io.rampart.admin.rbac.Grant;
import io.rampart.admin.rbac.GrantRule;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A browser session as the nodes of a cluster share it: its principal (with the grant rules and placeholder values its
 * permissions were compiled from, compiled again on the node that reads it), CSRF token and times. Never the cookie
 * value: the table is keyed by its SHA-256.
 */
final class SessionCodec {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SessionCodec() {
    }

    static byte[] encode(AdminSessions.Session s) {
        AdminPrincipal p = s.principal();
        ObjectNode n = JSON.createObjectNode();
        n.put("name", p.name());
        n.put("realm", p.realm());
        n.put("method", p.method().name());
        n.put("tokenId", p.tokenId());
        p.roles().forEach(n.putArray("roles")::add);
        ObjectNode attributes = n.putObject("attributes");
        p.attributes().forEach(attributes::put);
        n.put("manager", p.manager());
        n.put("expiresAt", p.expiresAt() == null ? null : p.expiresAt().toString());
        ArrayNode rules = n.putArray("rules");
        for (Grant g : p.grants().grants()) {
            GrantRule r = g.rule();
            ObjectNode rule = rules.addObject();
            r.permissions().forEach(x -> rule.withArray("permissions").add(x.name()));
            rule.put("template", r.template());
            rule.put("clients", r.clients());
            rule.put("topics", r.topics());
            rule.put("origin", r.origin());
        }
        ObjectNode variables = n.putObject("variables");
        p.grants().variables().forEach(variables::put);
        n.put("csrf", s.csrfToken());
        n.put("createdAt", s.createdAt().toString());
        n.put("lastUsedAt", s.lastUsedAt().toString());
        n.put("endSession", s.endSession() == null ? null : s.endSession().toString());
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws IOException when the entry cannot be read */
    static AdminSessions.Session decode(String key, byte[] value) throws IOException {
        try {
            JsonNode n = JSON.readTree(value);
            Set<String> roles = new HashSet<>();
            n.path("roles").forEach(r -> roles.add(r.asText()));
            Map<String, String> attributes = new HashMap<>();
            n.path("attributes").fields().forEachRemaining(e -> attributes.put(e.getKey(), e.getValue().asText()));
            List<GrantRule> rules = new ArrayList<>();
            for (JsonNode r : n.path("rules")) {
                Set<AdminPermission> permissions = EnumSet.noneOf(AdminPermission.class);
                r.path("permissions").forEach(x -> permissions.add(AdminPermission.valueOf(x.asText())));
                rules.add(new GrantRule(permissions, text(r, "template"), text(r, "clients"), text(r, "topics"),
                        text(r, "origin")));
            }
            Map<String, String> variables = new HashMap<>();
            n.path("variables").fields().forEachRemaining(e -> variables.put(e.getKey(), e.getValue().asText()));
            String expires = text(n, "expiresAt");
            AdminPrincipal principal = new AdminPrincipal(text(n, "name"), text(n, "realm"),
                    AuthMethod.valueOf(text(n, "method").toUpperCase(Locale.ROOT)), text(n, "tokenId"), roles,
                    attributes, text(n, "manager"), expires == null ? null : Instant.parse(expires),
                    AdminGrants.compile(rules, variables));
            String endSession = text(n, "endSession");
            AdminSessions.Session s = new AdminSessions.Session(key, principal, text(n, "csrf"),
                    Instant.parse(text(n, "createdAt")), endSession == null ? null : URI.create(endSession));
            s.touched(Instant.parse(text(n, "lastUsedAt")));
            return s;
        } catch (RuntimeException e) {
            throw new IOException(e.toString(), e);
        }
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }
}
