package io.rampart.admin.rbac;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code admin.roles}: which admin grants each realm role carries. Covers every realm alike: file and SQL
 * roles, LDAP groups mapped to roles, JWT roles claims. A role not listed grants nothing.
 *
 * @param roles realm role name → its grants, in configuration order
 */
public record RoleMapping(Map<String, List<GrantRule>> roles) {

    public static final RoleMapping EMPTY = new RoleMapping(Map.of());

    public RoleMapping {
        Map<String, List<GrantRule>> copy = new LinkedHashMap<>();
        roles.forEach((role, rules) -> copy.put(role, List.copyOf(rules)));
        roles = java.util.Collections.unmodifiableMap(copy);
    }

    /** The grants of an identity with these realm roles. */
    public List<GrantRule> rulesFor(Collection<String> identityRoles) {
        List<GrantRule> out = new ArrayList<>();
        for (String role : identityRoles) {
            out.addAll(roles.getOrDefault(role, List.of()));
        }
        return out;
    }

    /**
     * The grants of an API token: each of its roles is looked up here like a realm role; a role that is not
     * listed here but names a built-in template grants that template, unscoped.
     */
    public List<GrantRule> rulesForToken(Collection<String> tokenRoles, String tokenId) {
        List<GrantRule> out = new ArrayList<>();
        for (String role : tokenRoles) {
            List<GrantRule> mapped = roles.get(role);
            if (mapped != null) {
                out.addAll(mapped);
            } else {
                RoleTemplate.byId(role).ifPresent(t -> out.add(GrantRule.of(t, "token " + tokenId + " role " + role)));
            }
        }
        return out;
    }

    /** Whether a token may carry {@code role}: listed here, or a built-in template. */
    public boolean knowsTokenRole(String role) {
        return roles.containsKey(role) || RoleTemplate.byId(role).isPresent();
    }
}
