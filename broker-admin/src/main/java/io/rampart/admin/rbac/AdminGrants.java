package io.rampart.admin.rbac;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The admin permissions of one identity: its grants with placeholders replaced. Deny by default; every check
 * answers the grant that allowed it, so answers, the audit log and the policy simulator can say which rule
 * decided and where it was defined.
 */
public final class AdminGrants {

    /** No permission at all. */
    public static final AdminGrants NONE = new AdminGrants(List.of(), Map.of());

    private final List<Grant> grants;
    /** The placeholder values it was compiled with (to compile it again on another node of a cluster). */
    private final Map<String, String> variables;

    private AdminGrants(List<Grant> grants, Map<String, String> variables) {
        this.grants = List.copyOf(grants);
        Map<String, String> known = new java.util.HashMap<>(variables);
        known.values().removeIf(java.util.Objects::isNull);
        this.variables = Map.copyOf(known);
    }

    /**
     * @param variables placeholder values ({@code admin-username}, {@code admin-realm}, identity attributes)
     */
    public static AdminGrants compile(List<GrantRule> rules, Map<String, String> variables) {
        List<Grant> out = new ArrayList<>(rules.size());
        for (GrantRule rule : rules) {
            out.add(Grant.compile(rule, variables));
        }
        return new AdminGrants(out, variables);
    }

    /** The placeholder values these grants were compiled with. */
    public Map<String, String> variables() {
        return variables;
    }

    public List<Grant> grants() {
        return grants;
    }

    public boolean isEmpty() {
        return grants.isEmpty();
    }

    /** The first grant holding {@code permission}, scoped or not. */
    public Optional<Grant> any(AdminPermission permission) {
        return first(g -> g.has(permission));
    }

    /** The first grant holding {@code permission} without a scope. */
    public Optional<Grant> unscoped(AdminPermission permission) {
        return first(g -> g.has(permission) && !g.scoped());
    }

    /** The first grant whose {@code permission} reaches client {@code clientId}. */
    public Optional<Grant> forClient(AdminPermission permission, String clientId) {
        return first(g -> g.has(permission) && g.coversClient(clientId));
    }

    /** The first grant whose {@code permission} reaches topic {@code topic}. */
    public Optional<Grant> forTopic(AdminPermission permission, String topic) {
        return first(g -> g.has(permission) && g.coversTopic(topic));
    }

    /** The first grant whose {@code permission} reaches every topic of {@code filter}. */
    public Optional<Grant> forFilter(AdminPermission permission, String filter) {
        return first(g -> g.has(permission) && g.coversFilter(filter));
    }

    /** Every permission held by at least one grant ({@code admin:*} expanded). */
    public Set<AdminPermission> permissions() {
        EnumSet<AdminPermission> out = EnumSet.noneOf(AdminPermission.class);
        for (Grant g : grants) {
            if (g.has(AdminPermission.ALL)) {
                return EnumSet.allOf(AdminPermission.class);
            }
            out.addAll(g.permissions());
        }
        return out;
    }

    /**
     * Whether these grants are within {@code holder}'s: each permission of each grant is held by {@code holder}
     * unscoped, or by a grant of {@code holder} with exactly the same scope. Creating a token never hands out
     * more than its creator has.
     */
    public boolean within(AdminGrants holder) {
        for (Grant g : grants) {
            Set<AdminPermission> wanted = g.has(AdminPermission.ALL) ? Set.of(AdminPermission.ALL) : g.permissions();
            for (AdminPermission p : wanted) {
                boolean covered = holder.grants.stream().anyMatch(h -> (h.has(p) && !h.scoped())
                        || (h.has(p) && g.scoped() && sameScope(g, h)));
                if (!covered) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean sameScope(Grant a, Grant b) {
        return java.util.Objects.equals(a.clientsShown(), b.clientsShown())
                && java.util.Objects.equals(a.topicsShown(), b.topicsShown());
    }

    private Optional<Grant> first(Predicate<Grant> test) {
        for (Grant g : grants) {
            if (test.test(g)) {
                return Optional.of(g);
            }
        }
        return Optional.empty();
    }
}
