package io.rampart.security.permission;

import io.rampart.security.spi.IdentityVariables;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client-id pattern of a {@link Activity#CLIENT_ID} rule, compiled for one session: {@code *} stands for any
 * run of characters (also none), every other character stands for itself, and placeholders ({@code ${name}})
 * are replaced by the session's identity variables as literal text (a {@code *} in a value is a plain
 * character). {@code ${mqtt-username}-*} compiled for user {@code bob} matches {@code bob-1} and {@code bob-},
 * not {@code alice-1} nor {@code bob}.
 *
 * <p>A placeholder without a value (unset or empty) can never widen anything: an allow rule holding one is
 * dropped for that session, and in a deny rule it becomes {@code *}. Matching costs one pass over the client
 * id per pattern.
 */
public final class ClientIdPattern {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_.-]+)}");

    /** The literal runs between the wildcards: {@code a*b*c} is {a, b, c}; no wildcard is one run. */
    private final String[] runs;
    /** The rule as written, for explanations. */
    private final Permission source;

    private ClientIdPattern(String[] runs, Permission source) {
        this.runs = runs;
        this.source = source;
    }

    /**
     * Why {@code pattern} is not a valid client-id pattern, or {@code null} when it is: it must not be empty,
     * contain NUL, or hold a malformed placeholder.
     */
    public static String problem(String pattern) {
        if (pattern == null || pattern.isEmpty()) {
            return "a client-id pattern must not be empty";
        }
        if (pattern.indexOf('\0') >= 0) {
            return "a client-id pattern must not contain NUL";
        }
        int open = pattern.indexOf("${");
        while (open >= 0) {
            int close = pattern.indexOf('}', open);
            if (close < 0 || !PLACEHOLDER.matcher(pattern.substring(open, close + 1)).matches()) {
                return "malformed placeholder at character " + (open + 1)
                        + " (expected ${name} with letters, digits, '-', '_' or '.')";
            }
            open = pattern.indexOf("${", close);
        }
        return null;
    }

    /**
     * Substitutes the placeholders of a valid client-id rule's pattern; {@code null} when an allow rule's placeholder
     * has no value (the rule is dropped).
     */
    static ClientIdPattern compile(Permission rule, IdentityVariables variables) {
        String pattern = rule.topicFilter();
        boolean deny = rule.effect() == Effect.DENY;
        List<String> runs = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        Matcher m = PLACEHOLDER.matcher(pattern);
        int i = 0;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            if (c == '*') {
                runs.add(run.toString());
                run.setLength(0);
                i++;
            } else if (c == '$' && m.find(i) && m.start() == i) {
                String value = variables.get(m.group(1));
                if (value == null || value.isEmpty()) {
                    if (!deny) {
                        return null;
                    }
                    runs.add(run.toString());
                    run.setLength(0);
                } else {
                    run.append(value);
                }
                i = m.end();
            } else {
                run.append(c);
                i++;
            }
        }
        runs.add(run.toString());
        return new ClientIdPattern(runs.toArray(String[]::new), rule);
    }

    public boolean matches(String clientId) {
        int n = runs.length;
        if (n == 1) {
            return clientId.equals(runs[0]);
        }
        String first = runs[0];
        String last = runs[n - 1];
        int tail = clientId.length() - last.length();
        if (tail < first.length() || !clientId.startsWith(first) || !clientId.endsWith(last)) {
            return false;
        }
        int at = first.length();
        for (int r = 1; r < n - 1; r++) {
            int found = clientId.indexOf(runs[r], at);
            if (found < 0 || found + runs[r].length() > tail) {
                return false;
            }
            at = found + runs[r].length();
        }
        return true;
    }

    /** The rule this pattern was compiled from. */
    Permission source() {
        return source;
    }

    /** The pattern as compiled (placeholders substituted), for log lines. */
    @Override
    public String toString() {
        return String.join("*", runs);
    }
}
