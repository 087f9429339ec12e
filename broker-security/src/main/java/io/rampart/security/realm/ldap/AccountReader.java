package io.rampart.security.realm.ldap;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPInterface;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import io.rampart.security.permission.Permission;
import io.rampart.security.permission.RuleOrigin;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a user's entry, groups (roles) and permission rules. Every value that came from a client goes through
 * {@link LdapTemplates}; every search is bounded in size and time.
 */
final class AccountReader {

    private static final Logger LOG = LogManager.getLogger("io.rampart.security.realm.ldap");
    /** Upper bound on the groups followed for one user (all levels together). */
    static final int MAX_GROUPS = 1_000;

    private final LdapRealmSettings settings;
    private final int timeLimitSeconds;

    AccountReader(LdapRealmSettings settings) {
        this.settings = settings;
        this.timeLimitSeconds = (int) Math.max(1, settings.responseTimeout().toSeconds());
    }

    /** Attributes to ask for on a user entry. */
    String[] userAttributes() {
        List<String> attrs = new ArrayList<>(List.of("objectClass"));
        if (settings.groups() != null && settings.groups().attribute() != null) {
            attrs.add(settings.groups().attribute());
        }
        if (settings.permissions().fromLdap()) {
            attrs.add(settings.permissions().attribute());
        }
        return attrs.toArray(String[]::new);
    }

    private String[] groupAttributes() {
        List<String> attrs = new ArrayList<>(List.of(settings.groups().nameAttribute()));
        if (settings.groups().attribute() != null) {
            attrs.add(settings.groups().attribute());
        }
        if (settings.permissions().fromLdap()) {
            attrs.add(settings.permissions().attribute());
        }
        return attrs.toArray(String[]::new);
    }

    /**
     * The user entry found with the search of {@code user.base-dn} / {@code user.filter}.
     *
     * @return the single matching entry, or {@code null} when there is none
     * @throws AmbiguousUserException when more than one entry matches
     */
    Entry findUser(LDAPInterface ldap, Map<String, String> variables) throws LDAPException, AmbiguousUserException {
        LdapRealmSettings.UserLookup user = settings.user();
        Filter filter = LdapTemplates.filter(user.filter(), variables);
        if (filter == null) {
            return null;
        }
        if (user.objectClass() != null) {
            filter = Filter.createANDFilter(filter, Filter.createEqualityFilter("objectClass", user.objectClass()));
        }
        SearchRequest request = new SearchRequest(user.baseDn(),
                user.scope() == LdapRealmSettings.Scope.ONE ? SearchScope.ONE : SearchScope.SUB, filter, userAttributes());
        request.setSizeLimit(2);
        request.setTimeLimitSeconds(timeLimitSeconds);
        SearchResult result;
        try {
            result = ldap.search(request);
        } catch (LDAPSearchException e) {
            if (e.getResultCode() == ResultCode.SIZE_LIMIT_EXCEEDED) {
                throw new AmbiguousUserException(e.getEntryCount());
            }
            if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT) {
                return null;
            }
            throw e;
        }
        List<SearchResultEntry> entries = result.getSearchEntries();
        if (entries.size() > 1) {
            throw new AmbiguousUserException(entries.size());
        }
        return entries.isEmpty() ? null : entries.get(0);
    }

    /** The user's entry by DN, or {@code null} when it does not exist (or cannot be seen). */
    Entry readUser(LDAPInterface ldap, DN dn) throws LDAPException {
        try {
            return ldap.getEntry(dn.toString(), userAttributes());
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT) {
                return null;
            }
            throw e;
        }
    }

    /** Roles and permissions of the user whose entry is {@code user}. */
    LdapAccount account(LDAPInterface ldap, String username, Entry user, Map<String, String> variables)
            throws LDAPException {
        Map<String, List<String>> ruleSources = new LinkedHashMap<>();
        collectRules(user, ruleSources);
        Set<String> roles = new TreeSet<>();
        LdapRealmSettings.GroupLookup groups = settings.groups();
        if (groups != null) {
            Map<String, Entry> found = groups(ldap, user, variables);
            for (Entry group : found.values()) {
                String role = group.getAttributeValue(groups.nameAttribute());
                if (role != null && !role.isEmpty()) {
                    roles.add(role);
                }
                collectRules(group, ruleSources);
            }
        }
        List<Permission> permissions = new ArrayList<>();
        String problem = null;
        for (Map.Entry<String, List<String>> e : ruleSources.entrySet()) {
            for (String value : e.getValue()) {
                try {
                    permissions.add(PermissionSyntax.parse(value).withOrigin(RuleOrigin.ldapAttribute(
                            settings.name(), e.getKey(), settings.permissions().attribute())));
                } catch (IllegalArgumentException invalid) {
                    problem = "invalid " + settings.permissions().attribute() + " value \"" + value + "\" in " + e.getKey()
                            + ": " + invalid.getMessage();
                    LOG.warn("ldap realm '{}': {}; no permissions from the directory for '{}' until it is fixed",
                            settings.name(), problem, username);
                }
            }
        }
        return new LdapAccount(username, user.getDN(), roles, problem == null ? permissions : List.of(), problem);
    }

    private void collectRules(Entry entry, Map<String, List<String>> out) {
        if (!settings.permissions().fromLdap()) {
            return;
        }
        Attribute a = entry.getAttribute(settings.permissions().attribute());
        if (a != null && a.hasValue()) {
            out.put(entry.getDN(), List.of(a.getValues()));
        }
    }

    /** The user's groups by normalized DN, following nested groups up to {@code max-depth} levels. */
    private Map<String, Entry> groups(LDAPInterface ldap, Entry user, Map<String, String> variables)
            throws LDAPException {
        LdapRealmSettings.GroupLookup groups = settings.groups();
        int depth = groups.nested() ? groups.maxDepth() : 1;
        Map<String, Entry> found = new LinkedHashMap<>();
        Set<String> visited = new HashSet<>();
        visited.add(normalize(user.getDN()));
        Deque<Entry> level = new ArrayDeque<>(List.of(user));
        for (int d = 0; d < depth && !level.isEmpty(); d++) {
            Deque<Entry> next = new ArrayDeque<>();
            for (Entry member : level) {
                for (Entry group : parents(ldap, member, variables)) {
                    String key = normalize(group.getDN());
                    if (visited.add(key)) {
                        if (found.size() >= MAX_GROUPS) {
                            LOG.warn("ldap realm '{}': '{}' is in more than {} groups; the rest are ignored",
                                    settings.name(), user.getDN(), MAX_GROUPS);
                            return found;
                        }
                        found.put(key, group);
                        next.add(group);
                    }
                }
            }
            level = next;
        }
        return found;
    }

    /** The groups {@code member} (a user or a group entry) is directly in. */
    private List<Entry> parents(LDAPInterface ldap, Entry member, Map<String, String> variables) throws LDAPException {
        LdapRealmSettings.GroupLookup groups = settings.groups();
        List<Entry> out = new ArrayList<>();
        if (groups.attribute() != null) {
            String[] dns = member.getAttributeValues(groups.attribute());
            if (dns == null) {
                return out;
            }
            for (String dn : dns) {
                Entry group;
                try {
                    group = ldap.getEntry(dn, groupAttributes());
                } catch (LDAPException e) {
                    if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT || e.getResultCode() == ResultCode.INVALID_DN_SYNTAX) {
                        continue;
                    }
                    throw e;
                }
                if (group != null) {
                    out.add(group);
                }
            }
            return out;
        }
        Map<String, String> values = new HashMap<>(variables);
        values.put("user-dn", member.getDN());
        Filter filter = LdapTemplates.filter(groups.filter(), values);
        if (filter == null) {
            return out;
        }
        SearchRequest request = new SearchRequest(groups.baseDn(), SearchScope.SUB, filter, groupAttributes());
        request.setSizeLimit(MAX_GROUPS);
        request.setTimeLimitSeconds(timeLimitSeconds);
        try {
            out.addAll(ldap.search(request).getSearchEntries());
        } catch (LDAPSearchException e) {
            if (e.getResultCode() == ResultCode.SIZE_LIMIT_EXCEEDED) {
                out.addAll(e.getSearchEntries());
            } else if (e.getResultCode() != ResultCode.NO_SUCH_OBJECT) {
                throw e;
            }
        }
        return out;
    }

    private static String normalize(String dn) {
        try {
            return new DN(dn).toNormalizedString();
        } catch (LDAPException e) {
            return dn;
        }
    }

    /** More than one entry matched the user search: refuse rather than guess. */
    static final class AmbiguousUserException extends Exception {
        private static final long serialVersionUID = 1L;
        final int count;

        AmbiguousUserException(int count) {
            super(null, null, false, false);
            this.count = count;
        }
    }
}
