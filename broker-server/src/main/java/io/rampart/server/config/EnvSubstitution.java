package io.rampart.server.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Replaces <code>${ENV:NAME}</code> and <code>${ENV:NAME:-default}</code> in a scalar value; <code>$${ENV:</code>
 * stands for a literal <code>${ENV:</code>. Other <code>${...}</code> placeholders (e.g. permission variables) are
 * left alone. Like the shell's <code>:-</code>, the default applies when the variable is unset or empty.
 * Substituted text is not scanned again.
 */
final class EnvSubstitution {

    static final String START = "${ENV:";
    private static final String DEFAULT_SEPARATOR = ":-";
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** A reference that cannot be substituted; the reason never contains a variable's value. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String reason) {
            super(reason, null, false, false);
        }
    }

    private EnvSubstitution() {
    }

    static boolean hasReference(String text) {
        return text.contains(START);
    }

    static String substitute(String text, Function<String, String> env) throws Failure {
        StringBuilder out = new StringBuilder(text.length());
        int from = 0;
        int start;
        while ((start = text.indexOf(START, from)) >= 0) {
            if (start > 0 && text.charAt(start - 1) == '$') {
                out.append(text, from, start - 1).append(START);
                from = start + START.length();
                continue;
            }
            int end = text.indexOf('}', start);
            if (end < 0) {
                throw new Failure("unterminated ${ENV:...} reference (expected ${ENV:NAME} or ${ENV:NAME:-default})");
            }
            String body = text.substring(start + START.length(), end);
            int separator = body.indexOf(DEFAULT_SEPARATOR);
            String name = separator < 0 ? body : body.substring(0, separator);
            if (!NAME.matcher(name).matches()) {
                throw new Failure("malformed reference ${ENV:" + body + "} (expected ${ENV:NAME} or"
                        + " ${ENV:NAME:-default}, NAME made of letters, digits and '_')");
            }
            String value = env.apply(name);
            if (value == null || value.isEmpty()) {
                if (separator >= 0) {
                    value = body.substring(separator + DEFAULT_SEPARATOR.length());
                } else if (value == null) {
                    throw new Failure("environment variable " + name + " is not set (set it, or give a default"
                            + " with ${ENV:" + name + ":-default})");
                }
            }
            out.append(text, from, start).append(value);
            from = end + 1;
        }
        return out.append(text, from, text.length()).toString();
    }

    /** Names of the variables referenced in {@code text}, for messages that must not show their values. */
    static List<String> variables(String text) {
        List<String> names = new ArrayList<>();
        int start;
        int from = 0;
        while ((start = text.indexOf(START, from)) >= 0) {
            int end = text.indexOf('}', start);
            if (end < 0) {
                break;
            }
            String body = text.substring(start + START.length(), end);
            int separator = body.indexOf(DEFAULT_SEPARATOR);
            names.add(separator < 0 ? body : body.substring(0, separator));
            from = end + 1;
        }
        return names;
    }
}
