package io.rampart.admin.rbac;

import io.rampart.core.topic.Topics;

import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link GrantRule} for one identity: placeholders replaced by the identity's values. A placeholder whose
 * value is missing, empty or would widen the scope (a wildcard, or a topic separator) makes that scope match
 * nothing: fail closed.
 */
public final class Grant {

    private final GrantRule rule;
    private final Pattern clientPattern;
    private final String clientsExpanded;
    private final String topicFilter;
    private final boolean clientsNone;
    private final boolean topicsNone;

    private Grant(GrantRule rule, String clientsExpanded, boolean clientsNone, String topicFilter, boolean topicsNone) {
        this.rule = rule;
        this.clientsExpanded = clientsExpanded;
        this.clientPattern = clientsExpanded == null ? null : glob(clientsExpanded);
        this.clientsNone = clientsNone;
        this.topicFilter = topicFilter;
        this.topicsNone = topicsNone;
    }

    /**
     * @param variables {@code admin-username}, {@code admin-realm} and the identity's attributes
     */
    static Grant compile(GrantRule rule, Map<String, String> variables) {
        String clients = null;
        boolean clientsNone = false;
        if (rule.clients() != null) {
            clients = substitute(rule.clients(), variables, "*");
            clientsNone = clients == null;
        }
        String topics = null;
        boolean topicsNone = false;
        if (rule.topics() != null) {
            topics = substitute(rule.topics(), variables, "/+#");
            topicsNone = topics == null;
        }
        return new Grant(rule, clients, clientsNone, topics, topicsNone);
    }

    /** {@code null} when a placeholder has no usable value. */
    private static String substitute(String template, Map<String, String> variables, String forbidden) {
        Matcher m = GrantRule.PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = variables.get(m.group(1));
            if (value == null || value.isEmpty() || value.chars().anyMatch(c -> forbidden.indexOf(c) >= 0 || c == 0)) {
                return null;
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        int start = 0;
        for (int i = 0; i < pattern.length(); i++) {
            if (pattern.charAt(i) == '*') {
                regex.append(Pattern.quote(pattern.substring(start, i))).append(".*");
                start = i + 1;
            }
        }
        regex.append(Pattern.quote(pattern.substring(start)));
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    public GrantRule rule() {
        return rule;
    }

    public Set<AdminPermission> permissions() {
        return rule.permissions();
    }

    /** Whether the grant holds {@code permission} at all (possibly scoped). */
    public boolean has(AdminPermission permission) {
        return rule.permissions().contains(permission) || rule.permissions().contains(AdminPermission.ALL);
    }

    public boolean scoped() {
        return rule.scoped();
    }

    /** Whether a client-scoped permission of this grant reaches {@code clientId}. */
    public boolean coversClient(String clientId) {
        if (!rule.scoped()) {
            return true;
        }
        return !clientsNone && clientPattern != null && clientPattern.matcher(clientId).matches();
    }

    /** Whether a topic-scoped permission of this grant reaches {@code topic}. */
    public boolean coversTopic(String topic) {
        if (!rule.scoped()) {
            return true;
        }
        return !topicsNone && topicFilter != null && Topics.matches(topicFilter, topic);
    }

    /** Whether every topic {@code filter} can match is inside this grant's topics. */
    public boolean coversFilter(String filter) {
        if (!rule.scoped()) {
            return true;
        }
        return !topicsNone && topicFilter != null && TopicCoverage.covers(topicFilter, filter);
    }

    /** The client pattern after substitution, {@code "*"} when unscoped, or {@code null} when it matches nothing. */
    public String clientsShown() {
        if (!rule.scoped()) {
            return "*";
        }
        return clientsNone ? null : clientsExpanded;
    }

    /** The topic filter after substitution, {@code "#"} when unscoped, or {@code null} when it matches nothing. */
    public String topicsShown() {
        if (!rule.scoped()) {
            return "#";
        }
        return topicsNone ? null : topicFilter;
    }

    @Override
    public String toString() {
        return rule.origin();
    }
}
