package io.rampart.security.permission;

import io.rampart.core.topic.Topics;

import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One rule of the permission model, as configured (placeholders not yet substituted).
 *
 * <ul>
 *   <li>{@code topicFilter}: an MQTT topic filter that may contain placeholders such as
 *       {@code ${mqtt-clientid}} or {@code ${mqtt-username}} (any identity variable). A placeholder is
 *       substituted as literal text: a value that is empty or contains {@code /}, {@code +}, {@code #} or
 *       NUL can never widen an ALLOW (such a rule is dropped for that session); in a DENY the level holding
 *       it becomes {@code +}, so a deny can only grow.</li>
 *   <li>{@code activity}: publish, subscribe or both; or {@link Activity#CLIENT_ID}: then {@code topicFilter} holds
 *       a {@link ClientIdPattern client-id pattern} that says which client ids the identity may use at CONNECT,
 *       and the flags below do not apply.</li>
 *   <li>{@code qos}: the QoS levels the rule applies to (bit 0 = QoS 0, bit 1 = QoS 1, bit 2 = QoS 2);
 *       {@link #ALL_QOS} by default.</li>
 *   <li>{@code retain}: ALLOW rules only — whether publishing with the RETAIN flag is allowed.</li>
 *   <li>{@code sharedSubscription}: ALLOW rules only — whether {@code $share/...} subscriptions are allowed,
 *       and {@code shareGroups} restricts them to these groups (empty = any group).</li>
 *   <li>{@code effect}: ALLOW or DENY; a matching DENY overrides every ALLOW.</li>
 *   <li>{@code origin}: where the rule was written ({@code null} when unknown). It says nothing about what the rule
 *       allows: two rules that differ only in their origin are equal, so a realm file that only gained a comment
 *       line does not count as a change of anybody's permissions.</li>
 * </ul>
 */
public record Permission(String topicFilter, Activity activity, int qos, boolean retain, boolean sharedSubscription,
                         Set<String> shareGroups, Effect effect, RuleOrigin origin) {

    public static final int ALL_QOS = 0b111;
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_.-]+)}");

    public Permission {
        Objects.requireNonNull(topicFilter, "topicFilter");
        Objects.requireNonNull(activity, "activity");
        Objects.requireNonNull(effect, "effect");
        if (qos <= 0 || qos > ALL_QOS) {
            throw new IllegalArgumentException("qos: must name at least one of 0, 1, 2");
        }
        shareGroups = shareGroups == null ? Set.of() : Set.copyOf(shareGroups);
    }

    /** A rule whose origin is not known. */
    public Permission(String topicFilter, Activity activity, int qos, boolean retain, boolean sharedSubscription,
                      Set<String> shareGroups, Effect effect) {
        this(topicFilter, activity, qos, retain, sharedSubscription, shareGroups, effect, null);
    }

    /** The same rule, written at {@code where}. */
    public Permission withOrigin(RuleOrigin where) {
        return new Permission(topicFilter, activity, qos, retain, sharedSubscription, shareGroups, effect, where);
    }

    /** Equal when the rules mean the same; the {@link #origin()} does not count. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Permission p && qos == p.qos && retain == p.retain
                && sharedSubscription == p.sharedSubscription && topicFilter.equals(p.topicFilter)
                && activity == p.activity && shareGroups.equals(p.shareGroups) && effect == p.effect;
    }

    @Override
    public int hashCode() {
        return Objects.hash(topicFilter, activity, qos, retain, sharedSubscription, shareGroups, effect);
    }

    public static Permission allow(String topicFilter, Activity activity) {
        return new Permission(topicFilter, activity, ALL_QOS, true, true, Set.of(), Effect.ALLOW);
    }

    public static Permission deny(String topicFilter, Activity activity) {
        return new Permission(topicFilter, activity, ALL_QOS, true, true, Set.of(), Effect.DENY);
    }

    /** A client-id rule: with {@link Effect#ALLOW} the identity may use client ids matching {@code pattern}. */
    public static Permission clientId(String pattern, Effect effect) {
        return new Permission(pattern, Activity.CLIENT_ID, ALL_QOS, false, false, Set.of(), effect);
    }

    public boolean isClientIdRule() {
        return activity == Activity.CLIENT_ID;
    }

    public boolean allowsQos(int level) {
        return (qos & (1 << level)) != 0;
    }

    /**
     * Why {@code filter} cannot be a rule's topic filter, or {@code null} when it can: a valid MQTT topic filter in
     * which each placeholder ({@code ${name}} of letters, digits, '-', '_' or '.') stands for one literal value; not
     * a {@code $share/} filter.
     */
    public static String topicFilterProblem(String filter) {
        if (filter == null || filter.isEmpty()) {
            return "must not be empty";
        }
        if (Topics.isShared(filter)) {
            return "write the plain topic filter, not a $share/ filter; shared subscriptions are controlled by "
                    + "shared-subscription and share-groups";
        }
        int open = filter.indexOf("${");
        while (open >= 0) {
            int close = filter.indexOf('}', open);
            if (close < 0 || !PLACEHOLDER.matcher(filter.substring(open, close + 1)).matches()) {
                return "malformed placeholder at character " + (open + 1)
                        + " (expected ${name} with letters, digits, '-', '_' or '.')";
            }
            open = filter.indexOf("${", close);
        }
        String reason = Topics.validateTopicFilter(PLACEHOLDER.matcher(filter).replaceAll("x"), 65_535, 65_535);
        return reason == null ? null : "invalid topic filter '" + filter + "': " + reason;
    }

    /** Bit mask for a list of QoS levels. */
    public static int qosMask(Iterable<Integer> levels) {
        int mask = 0;
        for (int level : levels) {
            if (level < 0 || level > 2) {
                throw new IllegalArgumentException("qos: " + level + " is not 0, 1 or 2");
            }
            mask |= 1 << level;
        }
        return mask;
    }
}
