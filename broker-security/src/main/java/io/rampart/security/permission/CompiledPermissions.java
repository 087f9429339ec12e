package io.rampart.security.permission;

import io.rampart.core.topic.Topics;
import io.rampart.security.spi.IdentityVariables;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A session's permissions with placeholders substituted, split by activity and effect so that each
 * PUBLISH, SUBSCRIBE and delivery check is a short in-memory scan with allocation-free topic matching.
 * Immutable; a realm reload produces a new instance that the session swaps in.
 *
 * <p>Semantics (default deny):
 * <ul>
 *   <li>PUBLISH to a topic is allowed when an ALLOW rule for publishing matches the topic, the QoS and the
 *       RETAIN flag, and no DENY rule for publishing matches the topic and QoS.</li>
 *   <li>SUBSCRIBE to a filter is allowed when an ALLOW rule for subscribing <em>covers</em> the whole
 *       filter (every topic the filter can match is matched by the rule), allows the QoS and, for a shared
 *       subscription, the share group; and no DENY rule covers the whole filter.</li>
 *   <li>A granted subscription receives a message only when the topic is readable: an ALLOW subscribe rule
 *       matches the topic and no DENY subscribe rule does. So a subscription to {@code a/#} with a DENY on
 *       {@code a/secret/#} never delivers {@code a/secret/x}, and permissions that shrink at a realm
 *       reload take effect on live subscriptions at once.</li>
 *   <li>A client id may be used at CONNECT when the permissions hold no {@link Activity#CLIENT_ID} rule; otherwise
 *       when it matches no DENY client-id rule and, if any ALLOW client-id rule was configured, one of the ALLOW
 *       rules. An ALLOW rule dropped for a missing placeholder value still counts as configured, so it restricts
 *       without allowing anything.</li>
 * </ul>
 *
 * <p>Each compiled rule keeps the {@link Permission} it was compiled from (with its {@link RuleOrigin}). The
 * {@code explain...} variants walk the same compiled rules in the same order with the same conditions as the checks
 * and return the rule that decided; the checks themselves never read it, so keeping the source costs them nothing
 * (the two loops of each pair are kept alike, and tested to agree).
 */
public final class CompiledPermissions {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_.-]+)}");

    /** No rules: everything is denied. */
    public static final CompiledPermissions NONE = new CompiledPermissions(new Rule[0], new Rule[0], new Rule[0], new Rule[0],
            ClientIds.FREE);

    private final Rule[] publishAllow;
    private final Rule[] publishDeny;
    private final Rule[] subscribeAllow;
    private final Rule[] subscribeDeny;
    private final ClientIds clientIds;

    private CompiledPermissions(Rule[] publishAllow, Rule[] publishDeny, Rule[] subscribeAllow, Rule[] subscribeDeny,
                                ClientIds clientIds) {
        this.publishAllow = publishAllow;
        this.publishDeny = publishDeny;
        this.subscribeAllow = subscribeAllow;
        this.subscribeDeny = subscribeDeny;
        this.clientIds = clientIds;
    }

    /** Substitutes placeholders with the session's identity variables and indexes the rules. */
    public static CompiledPermissions compile(List<Permission> permissions, IdentityVariables variables) {
        List<Rule> pa = new ArrayList<>();
        List<Rule> pd = new ArrayList<>();
        List<Rule> sa = new ArrayList<>();
        List<Rule> sd = new ArrayList<>();
        List<ClientIdPattern> ca = new ArrayList<>();
        List<ClientIdPattern> cd = new ArrayList<>();
        boolean clientIdRestricted = false;
        for (Permission p : permissions) {
            if (p.isClientIdRule()) {
                boolean deny = p.effect() == Effect.DENY;
                clientIdRestricted |= !deny;
                // An invalid pattern matches nothing: an allow rule still restricts, a deny rule refuses nothing.
                if (ClientIdPattern.problem(p.topicFilter()) == null) {
                    ClientIdPattern pattern = ClientIdPattern.compile(p, variables);
                    if (pattern != null) {
                        (deny ? cd : ca).add(pattern);
                    }
                }
                continue;
            }
            String filter = substitute(p.topicFilter(), variables, p.effect() == Effect.DENY);
            if (filter == null || Topics.validateTopicFilter(filter, 65_535, 65_535) != null || Topics.isShared(filter)) {
                continue;
            }
            boolean deny = p.effect() == Effect.DENY;
            Rule rule = new Rule(filter, p.qos(), p.retain(), p.sharedSubscription(), p.shareGroups(), deny, p);
            if (p.activity().coversPublish()) {
                (deny ? pd : pa).add(rule);
            }
            if (p.activity().coversSubscribe()) {
                (deny ? sd : sa).add(rule);
            }
        }
        ClientIds clientIds = !clientIdRestricted && cd.isEmpty() ? ClientIds.FREE
                : new ClientIds(clientIdRestricted, ca.toArray(ClientIdPattern[]::new), cd.toArray(ClientIdPattern[]::new));
        return new CompiledPermissions(pa.toArray(Rule[]::new), pd.toArray(Rule[]::new),
                sa.toArray(Rule[]::new), sd.toArray(Rule[]::new), clientIds);
    }

    /**
     * Replaces {@code ${name}} with the variable's value. A missing or unsafe value (empty, or containing
     * '/', '+', '#', NUL) drops an ALLOW rule ({@code null}) and turns the level of a DENY rule into '+'.
     */
    static String substitute(String template, IdentityVariables variables, boolean deny) {
        if (template.indexOf("${") < 0) {
            return template;
        }
        String[] levels = template.split("/", -1);
        StringBuilder out = new StringBuilder(template.length() + 16);
        for (int i = 0; i < levels.length; i++) {
            if (i > 0) {
                out.append('/');
            }
            String level = levels[i];
            if (level.indexOf("${") < 0) {
                out.append(level);
                continue;
            }
            Matcher m = PLACEHOLDER.matcher(level);
            StringBuilder sb = new StringBuilder();
            boolean unsafe = false;
            while (m.find()) {
                String value = variables.get(m.group(1));
                if (!isSafe(value)) {
                    unsafe = true;
                    break;
                }
                m.appendReplacement(sb, Matcher.quoteReplacement(value));
            }
            if (unsafe) {
                if (!deny) {
                    return null;
                }
                out.append('+');
                continue;
            }
            m.appendTail(sb);
            out.append(sb);
        }
        return out.toString();
    }

    private static boolean isSafe(String value) {
        if (value == null || value.isEmpty()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '/' || c == '+' || c == '#' || c == '\0') {
                return false;
            }
        }
        return true;
    }

    public boolean mayPublish(String topic, int qos, boolean retain) {
        for (Rule r : publishDeny) {
            if (r.allowsQos(qos) && Topics.matches(r.filter, topic)) {
                return false;
            }
        }
        for (Rule r : publishAllow) {
            if (r.allowsQos(qos) && (r.retain || !retain) && Topics.matches(r.filter, topic)) {
                return true;
            }
        }
        return false;
    }

    /** {@link #mayPublish} with the rule that decided. */
    public Verdict explainPublish(String topic, int qos, boolean retain) {
        return verdict(publishDecision(topic, qos, retain));
    }

    /**
     * The deny rule that refuses the PUBLISH, else the allow rule that permits it, else {@code null}: the loops of
     * {@link #mayPublish} returning the rule instead of the answer.
     */
    private Rule publishDecision(String topic, int qos, boolean retain) {
        for (Rule r : publishDeny) {
            if (r.allowsQos(qos) && Topics.matches(r.filter, topic)) {
                return r;
            }
        }
        for (Rule r : publishAllow) {
            if (r.allowsQos(qos) && (r.retain || !retain) && Topics.matches(r.filter, topic)) {
                return r;
            }
        }
        return null;
    }

    /**
     * @param filter     the filter without any {@code $share/group/} prefix
     * @param shareGroup the share group, or {@code null} for an ordinary subscription
     */
    public boolean maySubscribe(String filter, int qos, String shareGroup) {
        for (Rule r : subscribeDeny) {
            if (r.allowsQos(qos) && covers(r.filter, filter)) {
                return false;
            }
        }
        for (Rule r : subscribeAllow) {
            if (!r.allowsQos(qos) || !covers(r.filter, filter)) {
                continue;
            }
            if (shareGroup != null && (!r.shared || (!r.shareGroups.isEmpty() && !r.shareGroups.contains(shareGroup)))) {
                continue;
            }
            return true;
        }
        return false;
    }

    /** {@link #maySubscribe} with the rule that decided. */
    public Verdict explainSubscribe(String filter, int qos, String shareGroup) {
        return verdict(subscribeDecision(filter, qos, shareGroup));
    }

    /** The loops of {@link #maySubscribe} returning the rule that decided. */
    private Rule subscribeDecision(String filter, int qos, String shareGroup) {
        for (Rule r : subscribeDeny) {
            if (r.allowsQos(qos) && covers(r.filter, filter)) {
                return r;
            }
        }
        for (Rule r : subscribeAllow) {
            if (!r.allowsQos(qos) || !covers(r.filter, filter)) {
                continue;
            }
            if (shareGroup != null && (!r.shared || (!r.shareGroups.isEmpty() && !r.shareGroups.contains(shareGroup)))) {
                continue;
            }
            return r;
        }
        return null;
    }

    /** Whether a message on {@code topic} may be delivered to this session through any of its subscriptions. */
    public boolean mayReceive(String topic) {
        for (Rule r : subscribeDeny) {
            if (Topics.matches(r.filter, topic)) {
                return false;
            }
        }
        for (Rule r : subscribeAllow) {
            if (Topics.matches(r.filter, topic)) {
                return true;
            }
        }
        return false;
    }

    /** {@link #mayReceive} with the rule that decided. */
    public Verdict explainReceive(String topic) {
        return verdict(receiveDecision(topic));
    }

    /** The loops of {@link #mayReceive} returning the rule that decided. */
    private Rule receiveDecision(String topic) {
        for (Rule r : subscribeDeny) {
            if (Topics.matches(r.filter, topic)) {
                return r;
            }
        }
        for (Rule r : subscribeAllow) {
            if (Topics.matches(r.filter, topic)) {
                return r;
            }
        }
        return null;
    }

    private static Verdict verdict(Rule decided) {
        if (decided == null) {
            return Verdict.defaultDeny();
        }
        return new Verdict(!decided.deny, decided.source, decided.filter,
                (decided.deny ? "denied by deny rule '" : "allowed by allow rule '") + decided.filter + "'");
    }

    /**
     * Why the session may not use {@code clientId} (the client-id rule that refuses it, for the access log), or
     * {@code null} when it may. One pass over the client-id rules; asked at CONNECT only.
     */
    public String clientIdRefusal(String clientId) {
        Verdict v = clientIds.decide(clientId);
        return v.allowed() ? null : v.reason();
    }

    /** {@link #clientIdRefusal} with the client-id rule that decided (none when no rule restricts client ids). */
    public Verdict explainClientId(String clientId) {
        return clientIds.decide(clientId);
    }

    public int ruleCount() {
        return publishAllow.length + publishDeny.length + subscribeAllow.length + subscribeDeny.length
                + clientIds.allow.length + clientIds.deny.length;
    }

    /**
     * Whether every topic matched by {@code requested} is matched by {@code granted}. Both are valid,
     * non-shared filters. Honors the rule that a leading wildcard does not match '$' topics.
     */
    static boolean covers(String granted, String requested) {
        if (requested.startsWith("$") && (granted.startsWith("+") || granted.startsWith("#"))) {
            return false;
        }
        int g = 0;
        int q = 0;
        int gl = granted.length();
        int ql = requested.length();
        while (true) {
            int gEnd = granted.indexOf('/', g);
            if (gEnd < 0) {
                gEnd = gl;
            }
            int qEnd = requested.indexOf('/', q);
            if (qEnd < 0) {
                qEnd = ql;
            }
            boolean gHash = gEnd - g == 1 && granted.charAt(g) == '#';
            if (gHash) {
                return true;
            }
            boolean qHash = qEnd - q == 1 && requested.charAt(q) == '#';
            boolean gPlus = gEnd - g == 1 && granted.charAt(g) == '+';
            boolean qPlus = qEnd - q == 1 && requested.charAt(q) == '+';
            if (qHash) {
                return false;
            }
            if (!gPlus) {
                if (qPlus || !granted.regionMatches(g, requested, q, gEnd - g) || gEnd - g != qEnd - q) {
                    return false;
                }
            }
            boolean gDone = gEnd >= gl;
            boolean qDone = qEnd >= ql;
            if (gDone && qDone) {
                return true;
            }
            if (qDone) {
                // granted continues: only "x/#" still covers "x" (a '#' level matches the parent)
                int next = gEnd + 1;
                return gl - next == 1 && granted.charAt(next) == '#';
            }
            if (gDone) {
                return false;
            }
            g = gEnd + 1;
            q = qEnd + 1;
        }
    }

    /** The compiled client-id rules. */
    private record ClientIds(boolean restricted, ClientIdPattern[] allow, ClientIdPattern[] deny) {

        static final ClientIds FREE = new ClientIds(false, new ClientIdPattern[0], new ClientIdPattern[0]);

        Verdict decide(String clientId) {
            for (ClientIdPattern p : deny) {
                if (p.matches(clientId)) {
                    return new Verdict(false, p.source(), p.toString(),
                            "client id matches the deny client-id rule '" + p + "'");
                }
            }
            if (!restricted) {
                return new Verdict(true, null, null, "no client-id rule restricts the client id");
            }
            for (ClientIdPattern p : allow) {
                if (p.matches(clientId)) {
                    return new Verdict(true, p.source(), p.toString(), "allowed by client-id rule '" + p + "'");
                }
            }
            if (allow.length == 0) {
                return new Verdict(false, null, null,
                        "the client-id rules allow no client id (a placeholder in them has no value)");
            }
            StringBuilder b = new StringBuilder("client id matches no allow client-id rule (allowed: ");
            for (int i = 0; i < allow.length; i++) {
                b.append(i == 0 ? "'" : ", '").append(allow[i]).append('\'');
            }
            return new Verdict(false, null, null, b.append(')').toString());
        }
    }

    /**
     * The outcome of one check and the rule that decided it.
     *
     * @param allowed  whether the check passes
     * @param rule     the rule that decided, as written (with its {@link Permission#origin() origin}); {@code null}
     *                 when no rule matched (default deny) or, for client ids, when no rule restricts them
     * @param compiled the rule's topic filter or client-id pattern with this session's placeholders substituted, or
     *                 {@code null} with {@code rule}
     * @param reason   one line for people: {@code denied by deny rule 'a/secret/#'}, {@code default deny: no rule
     *                 matched}
     */
    public record Verdict(boolean allowed, Permission rule, String compiled, String reason) {

        static Verdict defaultDeny() {
            return new Verdict(false, null, null, "default deny: no rule matched");
        }
    }

    private static final class Rule {
        final String filter;
        final int qos;
        final boolean retain;
        final boolean shared;
        final Set<String> shareGroups;
        final boolean deny;
        /** The rule as written, for explanations only. */
        final Permission source;

        Rule(String filter, int qos, boolean retain, boolean shared, Set<String> shareGroups, boolean deny,
             Permission source) {
            this.filter = filter;
            this.qos = qos;
            this.retain = retain;
            this.shared = shared;
            this.shareGroups = shareGroups;
            this.deny = deny;
            this.source = source;
        }

        boolean allowsQos(int level) {
            return (qos & (1 << level)) != 0;
        }
    }
}
