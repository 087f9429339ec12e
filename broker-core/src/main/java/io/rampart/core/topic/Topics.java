package io.rampart.core.topic;

/**
 * MQTT topic names and topic filters (MQTT 5 §4.7): validation, shared-subscription syntax and matching.
 *
 * <p>Levels are separated by {@code '/'} and may be empty ({@code "a//b"}, {@code "/a"}, {@code "a/"}).
 * {@code '+'} matches exactly one level, {@code '#'} (only as the whole last level) matches the parent level
 * and any number of child levels. Topic names starting with {@code '$'} are not matched by a filter whose
 * first level is a wildcard.
 */
public final class Topics {

    public static final String SHARE_PREFIX = "$share/";

    private Topics() {
    }

    /**
     * Validates a topic name as used in PUBLISH.
     *
     * @return {@code null} when valid, otherwise a short reason
     */
    public static String validateTopicName(String topic, int maxLength, int maxLevels) {
        if (topic == null || topic.isEmpty()) {
            return "topic name is empty";
        }
        int levels = 1;
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c == '+') {
                return "topic name contains wildcard '+'";
            } else if (c == '#') {
                return "topic name contains wildcard '#'";
            } else if (c == '/') {
                levels++;
            }
        }
        return checkCommon(topic, "topic name", levels, maxLength, maxLevels);
    }

    /**
     * Validates a topic filter as used in SUBSCRIBE and UNSUBSCRIBE, including the
     * {@code $share/{group}/{filter}} form.
     *
     * @return {@code null} when valid, otherwise a short reason
     */
    public static String validateTopicFilter(String filter, int maxLength, int maxLevels) {
        if (filter == null || filter.isEmpty()) {
            return "topic filter is empty";
        }
        int start = 0;
        if (isShared(filter)) {
            int slash = filter.indexOf('/', SHARE_PREFIX.length());
            if (slash < 0) {
                return "shared subscription must have the form $share/{group}/{filter}";
            }
            String groupReason = validateShareGroup(filter, SHARE_PREFIX.length(), slash);
            if (groupReason != null) {
                return groupReason;
            }
            start = slash + 1;
            if (start == filter.length()) {
                return "shared subscription has an empty topic filter";
            }
        }
        String structure = checkFilterStructure(filter, start);
        if (structure != null) {
            return structure;
        }
        return checkCommon(filter, "topic filter", countLevels(filter, start), maxLength, maxLevels);
    }

    /** Whether the filter uses the shared-subscription form {@code $share/...}. */
    public static boolean isShared(String filter) {
        return filter.startsWith(SHARE_PREFIX);
    }

    /** The group of a valid shared filter: {@code "$share/g/a/b"} gives {@code "g"}. */
    public static String shareGroup(String sharedFilter) {
        return sharedFilter.substring(SHARE_PREFIX.length(), groupEnd(sharedFilter));
    }

    /** The filter part of a valid shared filter: {@code "$share/g/a/b"} gives {@code "a/b"}. */
    public static String shareFilter(String sharedFilter) {
        return sharedFilter.substring(groupEnd(sharedFilter) + 1);
    }

    /** Whether the filter contains {@code '+'} or {@code '#'}. */
    public static boolean hasWildcard(String filter) {
        return filter.indexOf('+') >= 0 || filter.indexOf('#') >= 0;
    }

    /**
     * Whether a topic name matches a (valid, non-shared) topic filter, with full MQTT semantics including the
     * {@code '$'} rule. Allocation-free.
     */
    public static boolean matches(String filter, String topicName) {
        int fl = filter.length();
        int tl = topicName.length();
        if (fl == 0 || tl == 0) {
            return false;
        }
        if (topicName.charAt(0) == '$' && (filter.charAt(0) == '+' || filter.charAt(0) == '#')) {
            return false;
        }
        int fi = 0;
        int ti = 0;
        while (true) {
            // Both indexes are at the start of a level.
            if (fi < fl && filter.charAt(fi) == '#') {
                return true;
            }
            if (fi < fl && filter.charAt(fi) == '+') {
                fi++;
                while (ti < tl && topicName.charAt(ti) != '/') {
                    ti++;
                }
            } else {
                while (fi < fl && filter.charAt(fi) != '/') {
                    if (ti >= tl || topicName.charAt(ti) != filter.charAt(fi)) {
                        return false;
                    }
                    fi++;
                    ti++;
                }
                if (ti < tl && topicName.charAt(ti) != '/') {
                    return false;
                }
            }
            // Both indexes are at the end of a level: end of string or '/'.
            if (fi == fl) {
                return ti == tl;
            }
            if (ti == tl) {
                // Only "/#" may remain: '#' also matches the parent level.
                return fl - fi == 2 && filter.charAt(fi + 1) == '#';
            }
            fi++;
            ti++;
        }
    }

    /** Validates the structure of a non-shared filter (wildcard placement, NUL); package-private for the index. */
    static String checkFilterStructure(String filter, int start) {
        int levelStart = start;
        int n = filter.length();
        for (int i = start; i <= n; i++) {
            char c = i < n ? filter.charAt(i) : '/';
            if (c == '/') {
                levelStart = i + 1;
            } else if (c == '#') {
                if (i != levelStart || i != n - 1) {
                    return "'#' must be the whole last level of a topic filter";
                }
            } else if (c == '+') {
                if (i != levelStart || (i + 1 < n && filter.charAt(i + 1) != '/')) {
                    return "'+' must occupy a whole topic level";
                }
            }
        }
        return null;
    }

    static String validateShareGroup(String s, int from, int to) {
        if (from == to) {
            return "shared subscription has an empty share name";
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '+' || c == '#' || c == '/') {
                return "share name must not contain '+', '#' or '/'";
            }
            if (c == '\u0000') {
                return "share name contains U+0000";
            }
        }
        return null;
    }

    /** Splits into levels; {@code "a//b"} gives {@code ["a", "", "b"]}. */
    public static String[] levels(String topic) {
        int count = countLevels(topic, 0);
        String[] out = new String[count];
        int from = 0;
        for (int i = 0; i < count - 1; i++) {
            int slash = topic.indexOf('/', from);
            out[i] = topic.substring(from, slash);
            from = slash + 1;
        }
        out[count - 1] = topic.substring(from);
        return out;
    }

    private static int countLevels(String s, int start) {
        int levels = 1;
        for (int i = start; i < s.length(); i++) {
            if (s.charAt(i) == '/') {
                levels++;
            }
        }
        return levels;
    }

    private static int groupEnd(String sharedFilter) {
        if (!isShared(sharedFilter)) {
            throw new IllegalArgumentException("not a shared subscription filter: " + sharedFilter);
        }
        int slash = sharedFilter.indexOf('/', SHARE_PREFIX.length());
        if (slash < 0) {
            throw new IllegalArgumentException("shared subscription filter without a topic filter: " + sharedFilter);
        }
        return slash;
    }

    /** NUL, well-formed UTF-16 (so that the UTF-8 form is well formed), UTF-8 length and level count. */
    private static String checkCommon(String s, String what, int levels, int maxLength, int maxLevels) {
        long utf8 = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '\u0000') {
                return what + " contains U+0000";
            } else if (c < 0x80) {
                utf8++;
            } else if (c < 0x800) {
                utf8 += 2;
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 >= n || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return what + " contains an unpaired surrogate";
                }
                utf8 += 4;
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return what + " contains an unpaired surrogate";
            } else {
                utf8 += 3;
            }
        }
        if (utf8 > maxLength) {
            return what + " is " + utf8 + " bytes long, more than the limit of " + maxLength;
        }
        if (levels > maxLevels) {
            return what + " has " + levels + " levels, more than the limit of " + maxLevels;
        }
        return null;
    }
}
