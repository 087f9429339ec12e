package io.rampart.admin.rbac;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One permission of the admin plane. Deny by default: a call needs the permission its route names. Each
 * permission applies to one kind of resource, which decides how a scoped grant restricts it: client-scoped
 * permissions by a client-id pattern, topic-scoped ones by a topic filter, global ones cannot be scoped.
 */
public enum AdminPermission {
    CLIENTS_READ("clients:read", Resource.CLIENT),
    CLIENTS_DISCONNECT("clients:disconnect", Resource.CLIENT),
    SESSIONS_DELETE("sessions:delete", Resource.CLIENT),
    SUBSCRIPTIONS_READ("subscriptions:read", Resource.CLIENT),
    RETAINED_READ("retained:read", Resource.TOPIC),
    RETAINED_DELETE("retained:delete", Resource.TOPIC),
    DATA_PAYLOAD("data:payload", Resource.TOPIC),
    DATA_ADDRESS("data:address", Resource.CLIENT),
    USERS_READ("users:read", Resource.GLOBAL),
    USERS_WRITE("users:write", Resource.GLOBAL),
    BANS_READ("bans:read", Resource.GLOBAL),
    BANS_WRITE("bans:write", Resource.GLOBAL),
    TOKENS_WRITE("tokens:write", Resource.GLOBAL),
    /** Scoped by the topics simulated and, when the grant also names clients, by the simulated client id. */
    POLICY_CHECK("policy:check", Resource.TOPIC),
    CONFIG_READ("config:read", Resource.GLOBAL),
    CONFIG_RELOAD("config:reload", Resource.GLOBAL),
    LOGGERS_WRITE("loggers:write", Resource.GLOBAL),
    AUDIT_READ("audit:read", Resource.GLOBAL),
    METRICS_READ("metrics:read", Resource.GLOBAL),
    CLUSTER_READ("cluster:read", Resource.GLOBAL),
    /** List and download trace recordings. */
    TRACE_READ("trace:read", Resource.GLOBAL),
    /** Start, stop and delete trace recordings. */
    TRACE_WRITE("trace:write", Resource.GLOBAL),
    /** The detections list. */
    INSIGHTS_READ("insights:read", Resource.GLOBAL),
    /** Acknowledge detections. */
    DETECTIONS_WRITE("detections:write", Resource.GLOBAL),
    /** Every permission, unscoped. */
    ALL("admin:*", Resource.GLOBAL);

    /** What a scope restricts for this permission. */
    public enum Resource {
        /** Restricted by the grant's {@code clients} pattern. */
        CLIENT,
        /** Restricted by the grant's {@code topics} filter. */
        TOPIC,
        /** Not scopable. */
        GLOBAL
    }

    private final String id;
    private final Resource resource;

    AdminPermission(String id, Resource resource) {
        this.id = id;
        this.resource = resource;
    }

    /** The name used in configuration, answers and the audit log, e.g. {@code clients:read}. */
    public String id() {
        return id;
    }

    public Resource resource() {
        return resource;
    }

    public static Optional<AdminPermission> byId(String id) {
        if (id == null) {
            return Optional.empty();
        }
        String wanted = id.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(p -> p.id.equals(wanted)).findFirst();
    }

    /** Every permission name, for error messages. */
    public static List<String> ids() {
        return Arrays.stream(values()).map(AdminPermission::id).toList();
    }

    @Override
    public String toString() {
        return id;
    }
}
