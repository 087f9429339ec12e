package io.rampart.server.security;

import io.rampart.security.spi.IdentityVariables;
import io.rampart.security.spi.Preprocessor;
import io.rampart.server.config.SecurityConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Builds the configured preprocessors. A source variable that is not set leaves the target unset. */
final class Preprocessors {

    private static final Pattern GROUP_NAME = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>");

    private Preprocessors() {
    }

    static Preprocessor of(SecurityConfig.Preprocessor config) {
        return switch (config.type()) {
            case "copy" -> vars -> {
                String v = vars.get(config.from());
                if (v != null) {
                    vars.set(config.to(), v);
                }
            };
            case "regex" -> regex(config.from(), config.pattern());
            case "split" -> vars -> {
                String v = vars.get(config.from());
                if (v == null) {
                    return;
                }
                String[] parts = v.split(Pattern.quote(config.separator()), -1);
                if (config.index() < parts.length) {
                    vars.set(config.to(), parts[config.index()]);
                }
            };
            case "concat" -> vars -> {
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < config.sources().size(); i++) {
                    String v = vars.get(config.sources().get(i));
                    if (v == null) {
                        return;
                    }
                    if (i > 0) {
                        b.append(config.separator());
                    }
                    b.append(v);
                }
                vars.set(config.to(), b.toString());
            };
            case "set" -> vars -> vars.set(config.to(), config.value());
            default -> throw new IllegalArgumentException("unknown preprocessor type " + config.type());
        };
    }

    private static Preprocessor regex(String from, String pattern) {
        Pattern compiled = Pattern.compile(pattern);
        List<String> groups = new ArrayList<>();
        Matcher names = GROUP_NAME.matcher(pattern);
        while (names.find()) {
            groups.add(names.group(1));
        }
        return (IdentityVariables vars) -> {
            String v = vars.get(from);
            if (v == null) {
                return;
            }
            Matcher m = compiled.matcher(v);
            if (m.matches()) {
                for (String g : groups) {
                    String value = m.group(g);
                    if (value != null) {
                        vars.set(g, value);
                    }
                }
            }
        };
    }
}
