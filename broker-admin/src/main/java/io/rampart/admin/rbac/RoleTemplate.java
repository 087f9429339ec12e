package io.rampart.admin.rbac;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import static io.rampart.admin.rbac.AdminPermission.*;

/**
 * The built-in admin roles (docs/ADMIN-API.md has the table). A template names a fixed set of permissions; a
 * grant may scope it to clients and topics.
 */
public enum RoleTemplate {
    /**
     * Looks at clients (and their event histories), subscriptions, retained messages (size and hash, no payloads),
     * metrics, detections and the cluster.
     */
    VIEWER("viewer", EnumSet.of(CLIENTS_READ, SUBSCRIPTIONS_READ, RETAINED_READ, METRICS_READ, INSIGHTS_READ,
            CLUSTER_READ)),
    /**
     * A viewer that may also disconnect clients, delete sessions and retained messages, and record and read packet
     * traces.
     */
    OPERATOR("operator", EnumSet.of(CLIENTS_READ, CLIENTS_DISCONNECT, SESSIONS_DELETE, SUBSCRIPTIONS_READ,
            RETAINED_READ, RETAINED_DELETE, METRICS_READ, INSIGHTS_READ, TRACE_READ, TRACE_WRITE, CLUSTER_READ)),
    /**
     * Users, bans, tokens, the policy simulator, the audit log, the configuration, detections (acknowledging them)
     * and packet traces.
     */
    SECURITY_ADMIN("security-admin", EnumSet.of(CLIENTS_READ, CLIENTS_DISCONNECT, DATA_ADDRESS, USERS_READ,
            USERS_WRITE, BANS_READ, BANS_WRITE, TOKENS_WRITE, POLICY_CHECK, CONFIG_READ, AUDIT_READ, METRICS_READ,
            INSIGHTS_READ, DETECTIONS_WRITE, TRACE_READ, TRACE_WRITE)),
    /** Everything. */
    SUPER_ADMIN("super-admin", EnumSet.of(ALL));

    private final String id;
    private final Set<AdminPermission> permissions;

    RoleTemplate(String id, Set<AdminPermission> permissions) {
        this.id = id;
        this.permissions = Set.copyOf(permissions);
    }

    public String id() {
        return id;
    }

    public Set<AdminPermission> permissions() {
        return permissions;
    }

    public static Optional<RoleTemplate> byId(String id) {
        if (id == null) {
            return Optional.empty();
        }
        String wanted = id.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(t -> t.id.equals(wanted)).findFirst();
    }

    public static List<String> ids() {
        return Arrays.stream(values()).map(RoleTemplate::id).toList();
    }
}
