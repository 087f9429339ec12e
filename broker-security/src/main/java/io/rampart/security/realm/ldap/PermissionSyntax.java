package io.rampart.security.realm.ldap;

import io.rampart.core.topic.Topics;
import io.rampart.security.permission.Activity;
import io.rampart.security.permission.ClientIdPattern;
import io.rampart.security.permission.Effect;
import io.rampart.security.permission.Permission;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The one-line form of a {@link Permission} stored in the {@code rampartPermission} attribute:
 *
 * <pre>
 * EFFECT ACTIVITY TOPIC-FILTER [qos=L[,L...]] [retain=true|false] [shared=true|false] [share-groups=G[,G...]]
 * EFFECT client-id CLIENT-ID-PATTERN
 *
 * allow publish devices/${mqtt-clientid}/# qos=0,1 retain=false
 * allow subscribe commands/${mqtt-username}/+
 * deny all devices/secret/#
 * allow all "plant a/line 1/#"
 * allow client-id ${mqtt-username}-*
 * </pre>
 *
 * <ul>
 *   <li>EFFECT is {@code allow} or {@code deny}; ACTIVITY is {@code publish}, {@code subscribe} or {@code all}, or
 *       {@code client-id} for a rule on the client ids the identity may use ({@code *} = any run of characters,
 *       placeholders allowed, quoted like a topic filter; no options).</li>
 *   <li>TOPIC-FILTER is an MQTT topic filter with optional identity placeholders; quote it ({@code "..."}, with
 *       {@code \"} and {@code \\}) when it contains spaces. It must not start with {@code $share/}.</li>
 *   <li>Options, each at most once: {@code qos} (default 0,1,2); {@code retain}, {@code shared} (default true) and
 *       {@code share-groups} (default any) are for {@code allow} rules only.</li>
 * </ul>
 * Words are case-insensitive except the topic filter and share groups.
 */
public final class PermissionSyntax {

    private PermissionSyntax() {
    }

    /**
     * @throws IllegalArgumentException with a reason for an operator
     */
    public static Permission parse(String text) {
        List<String> tokens = tokens(text);
        if (tokens.size() < 3) {
            throw new IllegalArgumentException("expected 'allow|deny publish|subscribe|all TOPIC-FILTER [options]' or "
                    + "'allow|deny client-id CLIENT-ID-PATTERN'");
        }
        Effect effect = switch (tokens.get(0).toLowerCase(Locale.ROOT)) {
            case "allow" -> Effect.ALLOW;
            case "deny" -> Effect.DENY;
            default -> throw new IllegalArgumentException("first word must be allow or deny (was '" + tokens.get(0) + "')");
        };
        Activity activity = switch (tokens.get(1).toLowerCase(Locale.ROOT)) {
            case "publish" -> Activity.PUBLISH;
            case "subscribe" -> Activity.SUBSCRIBE;
            case "all" -> Activity.ALL;
            case "client-id" -> Activity.CLIENT_ID;
            default -> throw new IllegalArgumentException("second word must be publish, subscribe, all or client-id (was '"
                    + tokens.get(1) + "')");
        };
        if (activity == Activity.CLIENT_ID) {
            if (tokens.size() > 3) {
                throw new IllegalArgumentException("a client-id rule takes no options (was '" + tokens.get(3) + "')");
            }
            String problem = ClientIdPattern.problem(tokens.get(2));
            if (problem != null) {
                throw new IllegalArgumentException("'" + tokens.get(2) + "': " + problem);
            }
            return Permission.clientId(tokens.get(2), effect);
        }
        String topic = tokens.get(2);
        String probe = topic.replaceAll("\\$\\{[A-Za-z0-9_.-]+}", "x");
        String problem = Topics.validateTopicFilter(probe, 65_535, 65_535);
        if (problem != null) {
            throw new IllegalArgumentException("'" + topic + "' is not a valid topic filter: " + problem);
        }
        if (Topics.isShared(probe)) {
            throw new IllegalArgumentException("topic filter must not start with $share/; use shared= and share-groups=");
        }
        int qos = Permission.ALL_QOS;
        boolean retain = true;
        boolean shared = true;
        Set<String> groups = new LinkedHashSet<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String option : tokens.subList(3, tokens.size())) {
            int eq = option.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("option '" + option + "' must be key=value");
            }
            String key = option.substring(0, eq).toLowerCase(Locale.ROOT);
            String value = option.substring(eq + 1);
            if (!seen.add(key)) {
                throw new IllegalArgumentException("option '" + key + "' given twice");
            }
            if (effect == Effect.DENY && !key.equals("qos")) {
                throw new IllegalArgumentException("option '" + key + "' applies to allow rules only");
            }
            switch (key) {
                case "qos" -> qos = qos(value);
                case "retain" -> retain = bool(key, value);
                case "shared" -> shared = bool(key, value);
                case "share-groups" -> {
                    for (String g : value.split(",", -1)) {
                        if (g.isEmpty()) {
                            throw new IllegalArgumentException("share-groups: empty group name");
                        }
                        groups.add(g);
                    }
                }
                default -> throw new IllegalArgumentException("unknown option '" + key
                        + "' (allowed: qos, retain, shared, share-groups)");
            }
        }
        return new Permission(topic, activity, qos, retain, shared, groups, effect);
    }

    /** The one-line form of a permission; {@link #parse} reads it back to an equal permission. */
    public static String format(Permission p) {
        StringBuilder b = new StringBuilder();
        b.append(p.effect().name().toLowerCase(Locale.ROOT)).append(' ')
                .append(p.activity().name().toLowerCase(Locale.ROOT).replace('_', '-')).append(' ');
        String topic = p.topicFilter();
        if (topic.isEmpty() || topic.chars().anyMatch(c -> Character.isWhitespace(c) || c == '"' || c == '\\')) {
            b.append('"').append(topic.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        } else {
            b.append(topic);
        }
        if (p.isClientIdRule()) {
            return b.toString();
        }
        if (p.qos() != Permission.ALL_QOS) {
            List<String> levels = new ArrayList<>();
            for (int i = 0; i <= 2; i++) {
                if (p.allowsQos(i)) {
                    levels.add(Integer.toString(i));
                }
            }
            b.append(" qos=").append(String.join(",", levels));
        }
        if (p.effect() == Effect.ALLOW) {
            if (!p.retain()) {
                b.append(" retain=false");
            }
            if (!p.sharedSubscription()) {
                b.append(" shared=false");
            }
            if (!p.shareGroups().isEmpty()) {
                b.append(" share-groups=").append(String.join(",", p.shareGroups()));
            }
        }
        return b.toString();
    }

    private static int qos(String value) {
        List<Integer> levels = new ArrayList<>();
        for (String l : value.split(",", -1)) {
            switch (l) {
                case "0", "1", "2" -> levels.add(Integer.parseInt(l));
                default -> throw new IllegalArgumentException("qos: '" + l + "' is not 0, 1 or 2");
            }
        }
        return Permission.qosMask(levels);
    }

    private static boolean bool(String key, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + ": must be true or false (was '" + value + "')");
        };
    }

    private static List<String> tokens(String text) {
        if (text == null) {
            throw new IllegalArgumentException("empty rule");
        }
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            StringBuilder token = new StringBuilder();
            if (c == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char d = text.charAt(i++);
                    if (d == '\\' && i < n) {
                        token.append(text.charAt(i++));
                    } else if (d == '"') {
                        closed = true;
                        break;
                    } else {
                        token.append(d);
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("unterminated quoted topic filter");
                }
                if (i < n && !Character.isWhitespace(text.charAt(i))) {
                    throw new IllegalArgumentException("expected a space after the quoted topic filter");
                }
            } else {
                while (i < n && !Character.isWhitespace(text.charAt(i))) {
                    token.append(text.charAt(i++));
                }
            }
            out.add(token.toString());
        }
        return out;
    }
}
