package io.rampart.security.permission;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One entry of a user's or role's {@code admin-permissions} in a realm, as written: a template of the admin plane
 * ({@code viewer}) or a list of admin permissions ({@code clients:read}), optionally scoped to a client-id pattern
 * and a topic filter. The syntax is that of {@code admin.roles}; the realm checks the shape, the admin plane checks
 * the names and scopes when it turns the entry into a grant (and ignores, with a warning, an entry it cannot use).
 *
 * @param template    a template name, or {@code null} when {@code permissions} are given
 * @param permissions admin permission names, empty when {@code template} is given
 * @param clients     the client-id pattern scope, or {@code null} for every client
 * @param topics      the topic filter scope, or {@code null} for every topic
 * @param origin      where it is written, or {@code null}
 */
public record AdminGrantSpec(String template, List<String> permissions, String clients, String topics,
                             RuleOrigin origin) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z-]*(:[a-z*][a-z-]*)?");

    public AdminGrantSpec {
        permissions = permissions == null ? List.of() : List.copyOf(permissions);
        String problem = problem(template, permissions, clients, topics);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** An unscoped template. */
    public static AdminGrantSpec template(String name) {
        return new AdminGrantSpec(name, List.of(), null, null, null);
    }

    /** The same entry, written at {@code where}. */
    public AdminGrantSpec withOrigin(RuleOrigin where) {
        return new AdminGrantSpec(template, permissions, clients, topics, where);
    }

    public boolean scoped() {
        return clients != null || topics != null;
    }

    /**
     * Why these values do not make an entry ("key: reason"), or {@code null} when they do: exactly one of template
     * and permissions, names of lower-case words ({@code operator}, {@code clients:read}, {@code admin:*}), scopes
     * that are not empty and hold no control characters.
     */
    public static String problem(String template, List<String> permissions, String clients, String topics) {
        boolean hasTemplate = template != null;
        boolean hasPermissions = permissions != null && !permissions.isEmpty();
        if (hasTemplate == hasPermissions) {
            return "template: give exactly one of template and permissions";
        }
        if (hasTemplate && !NAME.matcher(template).matches()) {
            return "template: '" + printable(template) + "' is not a template name";
        }
        if (hasPermissions) {
            for (int i = 0; i < permissions.size(); i++) {
                String p = permissions.get(i);
                if (p == null || !NAME.matcher(p).matches() || p.indexOf(':') < 0) {
                    return "permissions[" + i + "]: '" + printable(String.valueOf(p))
                            + "' is not a permission name such as clients:read";
                }
            }
        }
        if (clients != null && (clients.isBlank() || hasControl(clients))) {
            return "clients: must be a non-empty client-id pattern without control characters";
        }
        if (topics != null && (topics.isEmpty() || hasControl(topics))) {
            return "topics: must be a non-empty topic filter without control characters";
        }
        return null;
    }

    private static boolean hasControl(String s) {
        return s.chars().anyMatch(Character::isISOControl);
    }

    private static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
