package io.rampart.security.realm.ldap;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills DN and filter templates with client-chosen values so that no value can change the template's structure:
 * values are escaped as DN attribute values (RFC 4514) or filter assertion values (RFC 4515), and the result is
 * parsed again and compared with the template's shape. This is what makes LDAP injection impossible.
 */
final class LdapTemplates {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_.-]+)}");

    private LdapTemplates() {
    }

    /** The placeholder names of a template, for validation at startup. */
    static java.util.List<String> placeholders(String template) {
        java.util.List<String> names = new java.util.ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** Checks that a DN template parses once its placeholders are filled (startup validation). */
    static void checkDnTemplate(String template) {
        try {
            new DN(fill(template, name -> "x", LdapTemplates::escapeDnValue));
        } catch (LDAPException e) {
            throw new IllegalArgumentException("is not a valid DN template: " + e.getMessage());
        }
    }

    /** Checks that a fixed DN parses (startup validation). */
    static void checkDn(String dn) {
        try {
            new DN(dn);
        } catch (LDAPException e) {
            throw new IllegalArgumentException("is not a valid DN: " + e.getMessage());
        }
    }

    /** Checks that a filter template parses once its placeholders are filled (startup validation). */
    static void checkFilterTemplate(String template) {
        try {
            Filter.create(fill(template, name -> "x", Filter::encodeValue));
        } catch (LDAPException e) {
            throw new IllegalArgumentException("is not a valid LDAP filter template: " + e.getMessage());
        }
    }

    /**
     * The DN for {@code values}, or {@code null} when a placeholder has no (or an empty) value.
     *
     * @throws IllegalStateException if escaping failed to keep the template's shape (never expected)
     */
    static DN dn(String template, Map<String, String> values) {
        String filled = fill(template, values::get, LdapTemplates::escapeDnValue);
        if (filled == null) {
            return null;
        }
        try {
            DN dn = new DN(filled);
            DN shape = new DN(fill(template, name -> "x", LdapTemplates::escapeDnValue));
            if (dn.getRDNs().length != shape.getRDNs().length) {
                throw new IllegalStateException("escaped DN changed shape");
            }
            for (int i = 0; i < dn.getRDNs().length; i++) {
                if (dn.getRDNs()[i].getAttributeNames().length != shape.getRDNs()[i].getAttributeNames().length) {
                    throw new IllegalStateException("escaped DN changed shape");
                }
            }
            return dn;
        } catch (LDAPException e) {
            throw new IllegalStateException("escaped DN does not parse: " + e.getMessage(), e);
        }
    }

    /** The filter for {@code values}, or {@code null} when a placeholder has no (or an empty) value. */
    static Filter filter(String template, Map<String, String> values) {
        String filled = fill(template, values::get, Filter::encodeValue);
        if (filled == null) {
            return null;
        }
        try {
            return Filter.create(filled);
        } catch (LDAPException e) {
            throw new IllegalStateException("escaped filter does not parse: " + e.getMessage(), e);
        }
    }

    private static String fill(String template, Function<String, String> values, Function<String, String> escape) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder(template.length() + 32);
        while (m.find()) {
            String value = values.apply(m.group(1));
            if (value == null || value.isEmpty()) {
                return null;
            }
            m.appendReplacement(out, Matcher.quoteReplacement(escape.apply(value)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Escapes an attribute value for a DN string (RFC 4514, section 2.4); non-printable characters as hex. */
    static String escapeDnValue(String value) {
        StringBuilder b = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean first = i == 0;
            boolean last = i == value.length() - 1;
            switch (c) {
                case '"', '+', ',', ';', '<', '>', '\\', '=' -> b.append('\\').append(c);
                case '#' -> b.append(first ? "\\#" : "#");
                case ' ' -> b.append(first || last ? "\\ " : " ");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append('\\').append(String.format("%02x", (int) c));
                    } else if (Character.isHighSurrogate(c) && i + 1 < value.length()) {
                        b.append(c).append(value.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        for (byte x : "\uFFFD".getBytes(StandardCharsets.UTF_8)) {
                            b.append('\\').append(String.format("%02x", x & 0xff));
                        }
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
