package io.rampart.admin.rbac;

import io.rampart.core.topic.Topics;
import io.rampart.security.permission.AdminGrantSpec;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One configured grant of admin permissions: a template or a list of permissions, optionally scoped to
 * clients (a client-id pattern where {@code *} matches any characters) and topics (an MQTT topic filter). Both
 * may contain placeholders such as {@code ${admin-username}}, replaced per identity.
 *
 * <p>A scoped grant restricts every permission it holds: client permissions need {@code clients}, topic
 * permissions need {@code topics}, and global permissions (bans, tokens, configuration, ...) cannot be scoped. A
 * scoped template keeps only the permissions its scope restricts (an operator scoped to clients and topics loses
 * {@code metrics:read}; grant that in a rule of its own); a scoped list of permissions must not name others.
 *
 * @param permissions what the grant allows (a template's set when {@code template} is given)
 * @param template    the built-in template it came from, or {@code null}
 * @param clients     client-id pattern, or {@code null} for every client (unscoped)
 * @param topics      topic filter, or {@code null} for every topic (unscoped)
 * @param origin      where the grant was defined, e.g. {@code admin.roles.site-a-ops[0]}: answers and the
 *                    policy simulator name it as the rule that decided
 * @throws IllegalArgumentException "key: reason" when the grant is inconsistent
 */
public record GrantRule(Set<AdminPermission> permissions, String template, String clients, String topics,
                        String origin) {

    static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
    static final Pattern VARIABLE = Pattern.compile("[A-Za-z0-9_.-]+");

    public GrantRule {
        Objects.requireNonNull(origin, "origin");
        if (permissions == null || permissions.isEmpty()) {
            throw new IllegalArgumentException("permissions: must name at least one permission or a template");
        }
        permissions = Set.copyOf(EnumSet.copyOf(permissions));
        if (template != null && (clients != null || topics != null)) {
            boolean byClient = clients != null;
            boolean byTopic = topics != null;
            permissions = Set.copyOf(permissions.stream().filter(p -> p.resource() == AdminPermission.Resource.CLIENT
                    && byClient || p.resource() == AdminPermission.Resource.TOPIC && byTopic).toList());
            if (permissions.isEmpty()) {
                throw new IllegalArgumentException("template: " + template + " has no permission that can be scoped"
                        + " this way");
            }
        }
        if (clients != null) {
            if (clients.isBlank()) {
                throw new IllegalArgumentException("clients: must not be empty (leave it out for every client)");
            }
            checkPlaceholders("clients", clients);
        }
        if (topics != null) {
            checkPlaceholders("topics", topics);
            String probe = PLACEHOLDER.matcher(topics).replaceAll("x");
            String problem = Topics.validateTopicFilter(probe, 65_535, 65_535);
            if (problem != null) {
                throw new IllegalArgumentException("topics: is not a valid topic filter: " + problem);
            }
            if (Topics.isShared(probe)) {
                throw new IllegalArgumentException("topics: must not start with $share/");
            }
        }
        if (clients != null || topics != null) {
            for (AdminPermission p : permissions) {
                switch (p.resource()) {
                    case GLOBAL -> throw new IllegalArgumentException("permissions: " + p.id()
                            + " cannot be scoped to clients or topics; grant it in a rule without 'clients' and 'topics'");
                    case CLIENT -> {
                        if (clients == null) {
                            throw new IllegalArgumentException("clients: is required in a scoped rule that grants "
                                    + p.id());
                        }
                    }
                    case TOPIC -> {
                        if (topics == null) {
                            throw new IllegalArgumentException("topics: is required in a scoped rule that grants "
                                    + p.id());
                        }
                    }
                }
            }
        }
    }

    /** An unscoped grant of a template. */
    public static GrantRule of(RoleTemplate template, String origin) {
        return new GrantRule(template.permissions(), template.id(), null, null, origin);
    }

    /**
     * An entry of a realm's {@code admin-permissions} as a grant, with the same names and scope rules as
     * {@code admin.roles}.
     *
     * @throws IllegalArgumentException "key: reason" when the entry names an unknown template or permission or
     *                                  its scope does not fit its permissions
     */
    public static GrantRule fromRealm(AdminGrantSpec spec) {
        Set<AdminPermission> permissions = EnumSet.noneOf(AdminPermission.class);
        if (spec.template() != null) {
            permissions.addAll(RoleTemplate.byId(spec.template()).orElseThrow(() -> new IllegalArgumentException(
                    "template: unknown template '" + spec.template() + "' (known: "
                            + String.join(", ", RoleTemplate.ids()) + ")")).permissions());
        } else {
            for (int i = 0; i < spec.permissions().size(); i++) {
                String id = spec.permissions().get(i);
                permissions.add(AdminPermission.byId(id).orElseThrow(() -> new IllegalArgumentException(
                        "permissions: unknown permission '" + id + "' (known: " + String.join(", ", AdminPermission.ids())
                                + ")")));
            }
        }
        return new GrantRule(permissions, spec.template(), spec.clients(), spec.topics(),
                spec.origin() == null ? "realm" : spec.origin().describe());
    }

    public boolean scoped() {
        return clients != null || topics != null;
    }

    private static void checkPlaceholders(String key, String value) {
        Matcher m = PLACEHOLDER.matcher(value);
        while (m.find()) {
            if (!VARIABLE.matcher(m.group(1)).matches()) {
                throw new IllegalArgumentException(key + ": malformed placeholder '" + m.group() + "'");
            }
        }
        String rest = PLACEHOLDER.matcher(value).replaceAll("");
        if (rest.contains("${")) {
            throw new IllegalArgumentException(key + ": unterminated placeholder in '" + value + "'");
        }
    }
}
