package io.rampart.server.config;

import io.rampart.security.limits.IdentityLimits;
import io.rampart.security.limits.LimitsSyntax;

import java.util.LinkedHashMap;
import java.util.Map;

/** Maps a {@code limits:} block (a listener's defaults, a realm's {@code role-limits}) onto {@link IdentityLimits}. */
final class LimitsSection {

    private LimitsSection() {
    }

    static IdentityLimits read(ConfigNode limits) throws ConfigException {
        if (limits.isAbsentOrNull()) {
            return IdentityLimits.NONE;
        }
        limits.requireKeys(LimitsSyntax.KEYS);
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : limits.keys()) {
            ConfigNode value = limits.get(key);
            if (!value.isAbsentOrNull()) {
                values.put(key, value.string());
            }
        }
        try {
            return LimitsSyntax.parse(values);
        } catch (IllegalArgumentException e) {
            throw limits.invalid(e);
        }
    }

    /** {@code role-limits:} a mapping of role name → {@code limits:} block. */
    static Map<String, IdentityLimits> readRoles(ConfigNode roles) throws ConfigException {
        Map<String, IdentityLimits> out = new LinkedHashMap<>();
        if (roles.isAbsentOrNull()) {
            return out;
        }
        roles.requireKeys(null);
        for (String role : roles.keys()) {
            out.put(role, read(roles.get(role)));
        }
        return out;
    }
}
