package io.rampart.security.permission;

/**
 * Where a {@link Permission} was written: the realm, whose rule it is, and the place an operator can open to change
 * it. Kept by each compiled rule so that the policy simulator can name the rule that decided; it is never consulted
 * by a permission check.
 *
 * @param realm    the realm that holds the rule, or {@code null} for the broker configuration
 * @param holder   whose rule it is: {@code user 'alice'}, {@code role 'sensors'}, {@code entry 'cn=ops,...'},
 *                 {@code manager 'anonymous'}; or {@code null}
 * @param location where it is written, for people: {@code /etc/rampart/users.yaml line 34},
 *                 {@code permissions row 42}, {@code attribute rampartPermission},
 *                 {@code security.realms[2].scope-permissions.telemetry[0]}
 * @param line     the line in a realm file, or 0
 * @param rowId    the {@code permissions.id} of a SQL realm's row, or 0
 */
public record RuleOrigin(String realm, String holder, String location, int line, long rowId) {

    public RuleOrigin {
        if (location == null || location.isEmpty()) {
            throw new IllegalArgumentException("location: must not be empty");
        }
    }

    /** A rule of a realm file, written at {@code line} of {@code file}. */
    public static RuleOrigin fileLine(String realm, String holder, String file, int line) {
        return new RuleOrigin(realm, holder, file + " line " + line, line, 0);
    }

    /** A row of a SQL realm's {@code permissions} table ({@code rowId} 0 when the query returns no id). */
    public static RuleOrigin sqlRow(String realm, String holder, long rowId) {
        return new RuleOrigin(realm, holder, rowId == 0 ? "permissions row (no id column)" : "permissions row " + rowId,
                0, rowId);
    }

    /** A value of an LDAP attribute of the directory entry {@code dn}. */
    public static RuleOrigin ldapAttribute(String realm, String dn, String attribute) {
        return new RuleOrigin(realm, "entry '" + dn + "'", "attribute " + attribute, 0, 0);
    }

    /** A rule of the broker configuration at {@code keyPath} ({@code realm} {@code null} outside realms). */
    public static RuleOrigin configuration(String realm, String holder, String keyPath) {
        return new RuleOrigin(realm, holder, keyPath, 0, 0);
    }

    /** One line for people: {@code realm 'devices', role 'sensors', /etc/rampart/devices.yaml line 12}. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        b.append(realm == null ? "configuration" : "realm '" + realm + "'");
        if (holder != null) {
            b.append(", ").append(holder);
        }
        return b.append(", ").append(location).toString();
    }
}
