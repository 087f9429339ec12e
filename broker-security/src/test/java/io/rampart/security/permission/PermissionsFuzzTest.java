package io.rampart.security.permission;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.rampart.core.topic.Topics;
import io.rampart.security.spi.IdentityVariables;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Arbitrary permissions, identity variables, topics and filters through {@link CompiledPermissions#compile} and
 * its checks. Besides crashes it checks what the permission model promises:
 * <ul>
 *   <li>a placeholder never widens an ALLOW: whatever is allowed (published, subscribed, received) is matched by
 *       the rule with each level that holds a placeholder read as {@code +};</li>
 *   <li>a DENY without placeholders always wins over every ALLOW;</li>
 *   <li>a granted subscription only covers topics its ALLOW rule matches ({@code covers} is sound);</li>
 *   <li>{@link Topics#matches} agrees with a plain level-by-level matcher;</li>
 *   <li>client-id rules refuse exactly what a plain glob matcher says (a DENY that matches refuses; an ALLOW,
 *       even one dropped for a missing value, restricts to the ALLOW rules that match; a value is literal text).</li>
 * </ul>
 * The input is UTF-8 text, one item per line (the first 64 lines):
 * <pre>
 *   +aq f[g1,g2] filter    a rule: + ALLOW or - DENY; a = p(ublish) s(ubscribe) a(ll) c(lient id: the filter is
 *                          a client-id pattern); q = QoS mask 1-7; f = flags 0-3 (1 retain, 2 shared
 *                          subscriptions); optional share groups; the filter
 *   $name=value            an identity variable
 *   ?qr topic              check PUBLISH with QoS q and retain r (0/1), and delivery of the topic
 *   !q[group] filter       check SUBSCRIBE with QoS q, optionally shared in group
 *   =client id             check the client id at CONNECT
 * </pre>
 * Without {@code -Pfuzz} it replays the committed inputs under {@code PermissionsFuzzTestInputs/compileAndCheck};
 * see docs/SECURITY.md, "Fuzzing".
 */
class PermissionsFuzzTest {

    private record Rule(Permission permission, boolean placeholders) {
    }

    private record SubscribeCheck(int qos, String group, String filter) {
    }

    private record PublishCheck(int qos, boolean retain, String topic) {
    }

    /** Lines read from one input: the checks compare every rule with every topic, so longer inputs only cost time. */
    private static final int MAX_LINES = 64;

    /** A client-id pattern as a matcher sees it: literal characters and {@link #ANY_RUN}. */
    private static final Character ANY_RUN = null;

    @FuzzTest(maxDuration = "15m", maxExecutions = 10_000_000)
    @DictionaryEntries({"${mqtt-clientid}", "${mqtt-username}", "$share/", "$SYS/", "/#", "/+/", "+a70 ", "+s73[g] ",
            "-a7 ", "?11 ", "!1 ", "$mqtt-clientid="})
    @Timeout(60)
    void compileAndCheck(byte[] input) {
        List<Rule> rules = new ArrayList<>();
        List<PublishCheck> publishes = new ArrayList<>();
        List<SubscribeCheck> subscribes = new ArrayList<>();
        List<String> clientIds = new ArrayList<>();
        IdentityVariables variables = new IdentityVariables();
        String[] lines = new String(input, StandardCharsets.UTF_8).split("\n", MAX_LINES + 1);
        for (String line : Arrays.copyOf(lines, Math.min(lines.length, MAX_LINES))) {
            if (line.startsWith("=")) {
                clientIds.add(line.substring(1));
            } else {
                parse(line, rules, publishes, subscribes, variables);
            }
        }
        List<Permission> permissions = rules.stream().map(Rule::permission).toList();
        CompiledPermissions compiled = CompiledPermissions.compile(permissions, variables.freeze());
        for (String clientId : clientIds) {
            boolean allowed = compiled.clientIdRefusal(clientId) == null;
            if (allowed != clientIdAllowed(rules, variables, clientId)) {
                throw new AssertionError("client id '" + clientId + "' " + (allowed ? "allowed" : "refused")
                        + " against the client-id rules");
            }
        }

        Set<String> topics = new LinkedHashSet<>();
        publishes.forEach(p -> topics.add(p.topic()));
        for (PublishCheck p : publishes) {
            boolean allowed = compiled.mayPublish(p.topic(), p.qos(), p.retain());
            boolean received = compiled.mayReceive(p.topic());
            if (!validTopic(p.topic())) {
                continue;
            }
            if (allowed && rules.stream().noneMatch(r -> r.permission().effect() == Effect.ALLOW
                    && r.permission().activity().coversPublish() && r.permission().allowsQos(p.qos())
                    && (r.permission().retain() || !p.retain()) && shapeMatches(r.permission().topicFilter(), p.topic()))) {
                throw new AssertionError("PUBLISH to '" + p.topic() + "' allowed beyond every ALLOW rule");
            }
            if (received && rules.stream().noneMatch(r -> r.permission().effect() == Effect.ALLOW
                    && r.permission().activity().coversSubscribe() && shapeMatches(r.permission().topicFilter(), p.topic()))) {
                throw new AssertionError("delivery of '" + p.topic() + "' allowed beyond every ALLOW rule");
            }
            for (Rule r : rules) {
                Permission d = r.permission();
                if (d.effect() != Effect.DENY || r.placeholders() || !plainFilter(d.topicFilter())
                        || !reference(d.topicFilter(), p.topic(), true)) {
                    continue;
                }
                if (allowed && d.activity().coversPublish() && d.allowsQos(p.qos())) {
                    throw new AssertionError("PUBLISH to '" + p.topic() + "' allowed despite DENY " + d.topicFilter());
                }
                if (received && d.activity().coversSubscribe()) {
                    throw new AssertionError("delivery of '" + p.topic() + "' allowed despite DENY " + d.topicFilter());
                }
            }
            for (Rule r : rules) {
                String filter = r.permission().topicFilter();
                if (!r.placeholders() && plainFilter(filter)
                        && Topics.matches(filter, p.topic()) != reference(filter, p.topic(), true)) {
                    throw new AssertionError("Topics.matches('" + filter + "', '" + p.topic() + "') is wrong");
                }
            }
        }
        for (SubscribeCheck s : subscribes) {
            boolean allowed = compiled.maySubscribe(s.filter(), s.qos(), s.group());
            if (!allowed || !plainFilter(s.filter())) {
                continue;
            }
            for (Rule r : rules) {
                Permission d = r.permission();
                if (d.effect() == Effect.DENY && !r.placeholders() && d.activity().coversSubscribe()
                        && d.allowsQos(s.qos()) && (d.topicFilter().equals(s.filter())
                        || d.topicFilter().equals("#") && !s.filter().startsWith("$"))) {
                    throw new AssertionError("SUBSCRIBE to '" + s.filter() + "' allowed despite DENY " + d.topicFilter());
                }
            }
            List<Permission> grants = rules.stream().map(Rule::permission)
                    .filter(p -> p.effect() == Effect.ALLOW && p.activity().coversSubscribe() && p.allowsQos(s.qos())
                            && (s.group() == null || p.sharedSubscription()))
                    .toList();
            for (String topic : topicsOf(s.filter(), topics)) {
                if (validTopic(topic) && reference(s.filter(), topic, true)
                        && grants.stream().noneMatch(p -> shapeMatches(p.topicFilter(), topic))) {
                    throw new AssertionError("SUBSCRIBE to '" + s.filter() + "' allowed, which reaches '" + topic
                            + "' beyond every ALLOW rule");
                }
            }
        }
    }

    private static void parse(String line, List<Rule> rules, List<PublishCheck> publishes,
                              List<SubscribeCheck> subscribes, IdentityVariables variables) {
        if (line.length() >= 2 && line.charAt(0) == '$') {
            int eq = line.indexOf('=');
            if (eq > 1) {
                variables.set(line.substring(1, eq), line.substring(eq + 1));
            }
            return;
        }
        int space = line.indexOf(' ');
        if (space < 0) {
            return;
        }
        String head = line.substring(0, space);
        String rest = line.substring(space + 1);
        if ((head.startsWith("+") || head.startsWith("-")) && head.length() >= 4) {
            Activity activity = switch (head.charAt(1)) {
                case 'p' -> Activity.PUBLISH;
                case 's' -> Activity.SUBSCRIBE;
                case 'c' -> Activity.CLIENT_ID;
                default -> Activity.ALL;
            };
            int qos = digit(head.charAt(2), 1, 7);
            int flags = digit(head.charAt(3), 0, 3);
            if (qos < 0 || flags < 0 || rest.isEmpty()) {
                return;
            }
            Set<String> groups = new LinkedHashSet<>();
            if (head.length() > 5 && head.charAt(4) == '[' && head.endsWith("]")) {
                groups.addAll(Arrays.asList(head.substring(5, head.length() - 1).split(",")));
            }
            boolean allow = head.charAt(0) == '+';
            Effect effect = allow ? Effect.ALLOW : Effect.DENY;
            Permission p = activity == Activity.CLIENT_ID ? Permission.clientId(rest, effect)
                    : new Permission(rest, activity, qos, allow && (flags & 1) != 0, allow && (flags & 2) != 0,
                    allow ? groups : Set.of(), effect);
            rules.add(new Rule(p, rest.contains("${")));
        } else if (head.startsWith("?") && head.length() == 3) {
            int qos = digit(head.charAt(1), 0, 2);
            if (qos >= 0) {
                publishes.add(new PublishCheck(qos, head.charAt(2) == '1', rest));
            }
        } else if (head.startsWith("!") && head.length() >= 2) {
            int qos = digit(head.charAt(1), 0, 2);
            String group = head.length() > 2 ? head.substring(2) : null;
            if (qos >= 0) {
                subscribes.add(new SubscribeCheck(qos, group, rest));
            }
        }
    }

    private static int digit(char c, int min, int max) {
        int d = c - '0';
        return d >= min && d <= max ? d : -1;
    }

    private static boolean validTopic(String topic) {
        return Topics.validateTopicName(topic, 65_535, 65_535) == null;
    }

    /** A valid filter that is not a shared subscription (rules are plain filters). */
    private static boolean plainFilter(String filter) {
        return Topics.validateTopicFilter(filter, 65_535, 65_535) == null && !Topics.isShared(filter);
    }

    /** The topics to try a granted filter with: the checked topics, and the filter with its wildcards filled in. */
    private static Set<String> topicsOf(String filter, Set<String> checked) {
        Set<String> out = new LinkedHashSet<>(checked);
        out.add(filter.replace("+", "x").replace("/#", "/x/y").replace("#", "x"));
        out.add(filter.replace("/#", ""));
        return out;
    }

    /**
     * Whether a rule, with every level that holds a placeholder read as '+', matches the topic (without the
     * '$' rule: a substituted value may start with '$'). A rule whose shape is not a valid filter matches nothing.
     */
    private static boolean shapeMatches(String template, String topic) {
        String[] levels = template.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            if (levels[i].contains("${")) {
                levels[i] = "+";
            }
        }
        String shape = String.join("/", levels);
        return plainFilter(shape) && reference(shape, topic, false);
    }

    /**
     * Whether the client-id rules let {@code clientId} through: no DENY rule matches and, when there is an ALLOW
     * rule at all, one of them matches. An invalid pattern matches nothing.
     */
    private static boolean clientIdAllowed(List<Rule> rules, IdentityVariables variables, String clientId) {
        boolean restricted = false;
        boolean allowMatched = false;
        for (Rule r : rules) {
            Permission p = r.permission();
            if (!p.isClientIdRule()) {
                continue;
            }
            boolean deny = p.effect() == Effect.DENY;
            restricted |= !deny;
            String pattern = p.topicFilter();
            if (pattern.isEmpty() || pattern.indexOf('\0') >= 0 || malformedPlaceholder(pattern)) {
                continue;
            }
            List<Character> glob = glob(pattern, variables, deny);
            if (glob != null && globMatches(glob, clientId)) {
                if (deny) {
                    return false;
                }
                allowMatched = true;
            }
        }
        return !restricted || allowMatched;
    }

    private static boolean malformedPlaceholder(String pattern) {
        int open = pattern.indexOf("${");
        while (open >= 0) {
            int close = pattern.indexOf('}', open);
            if (close < 0 || close == open + 2 || !placeholderName(pattern.substring(open + 2, close))) {
                return true;
            }
            open = pattern.indexOf("${", close);
        }
        return false;
    }

    private static boolean placeholderName(String name) {
        return !name.isEmpty() && name.chars().allMatch(c -> c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
                || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-');
    }

    /**
     * The pattern with its placeholders replaced by their values, character by character; a value that is missing
     * or empty drops an ALLOW ({@code null}) and stands for any run in a DENY.
     */
    private static List<Character> glob(String pattern, IdentityVariables variables, boolean deny) {
        List<Character> out = new ArrayList<>();
        int i = 0;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            int close = pattern.startsWith("${", i) ? pattern.indexOf('}', i) : -1;
            if (close > i + 2 && placeholderName(pattern.substring(i + 2, close))) {
                String value = variables.get(pattern.substring(i + 2, close));
                if (value == null || value.isEmpty()) {
                    if (!deny) {
                        return null;
                    }
                    out.add(ANY_RUN);
                } else {
                    value.chars().forEach(v -> out.add((char) v));
                }
                i = close + 1;
            } else {
                out.add(c == '*' ? ANY_RUN : Character.valueOf(c));
                i++;
            }
        }
        return out;
    }

    /** Glob matching by dynamic programming over (pattern position, text position). */
    private static boolean globMatches(List<Character> glob, String text) {
        boolean[] row = new boolean[text.length() + 1];
        row[0] = true;
        for (Character g : glob) {
            boolean[] next = new boolean[text.length() + 1];
            for (int j = 0; j <= text.length(); j++) {
                if (g == ANY_RUN) {
                    next[j] = row[j] || j > 0 && next[j - 1];
                } else {
                    next[j] = j > 0 && row[j - 1] && text.charAt(j - 1) == g;
                }
            }
            row = next;
        }
        return row[text.length()];
    }

    /** Level-by-level MQTT matching of a valid filter against a valid topic name. */
    private static boolean reference(String filter, String topic, boolean dollarRule) {
        if (dollarRule && topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
            return false;
        }
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length || !f[i].equals("+") && !f[i].equals(t[i])) {
                return false;
            }
        }
        return f.length == t.length;
    }
}
