package io.rampart.server.detect;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The detection rules: what each counts, per what key, and what its temporary ban (when configured) hits.
 * docs/DETECTIONS.md describes each with its defaults.
 */
public enum Rule {
    /** Bad-credential CONNECT refusals from one address or network. Ban: that network. */
    AUTH_FAILURES_PER_ADDRESS(Key.NETWORK, new RuleSettings(true, 20, Duration.ofMinutes(1), null, 32, 64, 0)),
    /** Bad-credential CONNECT refusals for one user name from many different addresses. Ban: the user name. */
    AUTH_FAILURES_PER_USER(Key.USERNAME, new RuleSettings(true, 5, Duration.ofMinutes(10), null, 32, 128, 0)),
    /** PUBLISH and SUBSCRIBE denials of one client id. Ban: the client id. */
    PROBING_CLIENT(Key.CLIENT_ID, new RuleSettings(true, 20, Duration.ofMinutes(1), null, 32, 128, 0)),
    /** Admissions of one client id (connects, reconnects, takeovers). Ban: the client id. */
    CONNECTION_FLAPPING(Key.CLIENT_ID, new RuleSettings(true, 10, Duration.ofMinutes(1), null, 32, 128, 0)),
    /** An identity admitted from a network it was never seen on. Ban: the identity's user name. */
    NEW_NETWORK(Key.USERNAME, new RuleSettings(true, 1, Duration.ofMinutes(1), null, 24, 48, 16)),
    /** One identity admitted from several addresses within a short window. Ban: the identity's user name. */
    MANY_ADDRESSES(Key.USERNAME, new RuleSettings(true, 3, Duration.ofMinutes(1), null, 32, 128, 0)),
    /** Revoked or expired client certificates presented from one address or network. Ban: that network. */
    REJECTED_CERTIFICATES(Key.NETWORK, new RuleSettings(true, 5, Duration.ofMinutes(10), null, 32, 64, 0)),
    /** One identity publishing to many topics it did not publish to before. Ban: the identity's user name. */
    MANY_NEW_TOPICS(Key.USERNAME, new RuleSettings(true, 100, Duration.ofMinutes(1), null, 32, 128, 256));

    /** What a rule counts per, and what its ban hits. */
    public enum Key {
        NETWORK("address"), USERNAME("username"), CLIENT_ID("client-id");

        private final String banKind;

        Key(String banKind) {
            this.banKind = banKind;
        }

        /** The kind of ban ({@code address}, {@code username}, {@code client-id}) for this key. */
        public String banKind() {
            return banKind;
        }
    }

    private final Key key;
    private final RuleSettings defaults;

    Rule(Key key, RuleSettings defaults) {
        this.key = key;
        this.defaults = defaults;
    }

    /** As written in the configuration, metrics and the event log: {@code connection-flapping}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public Key key() {
        return key;
    }

    public RuleSettings defaults() {
        return defaults;
    }

    /** Whether the rule counts per address network ({@code ipv4-prefix}, {@code ipv6-prefix} apply). */
    public boolean byNetwork() {
        return this == AUTH_FAILURES_PER_ADDRESS || this == REJECTED_CERTIFICATES || this == NEW_NETWORK;
    }

    /** Whether {@code threshold} and {@code window} apply. */
    public boolean counts() {
        return this != NEW_NETWORK;
    }

    /** The configuration name of what {@link RuleSettings#remembered()} bounds, or {@code null} when nothing. */
    public String rememberedKey() {
        return switch (this) {
            case NEW_NETWORK -> "networks-per-identity";
            case MANY_NEW_TOPICS -> "topics-per-identity";
            default -> null;
        };
    }

    /** The configuration keys of this rule. */
    public List<String> configKeys() {
        List<String> keys = new java.util.ArrayList<>(List.of("enabled"));
        if (counts()) {
            keys.addAll(List.of("threshold", "window"));
        }
        if (byNetwork()) {
            keys.addAll(List.of("ipv4-prefix", "ipv6-prefix"));
        }
        if (rememberedKey() != null) {
            keys.add(rememberedKey());
        }
        keys.add("ban");
        return keys;
    }

    public static Rule byId(String id) {
        for (Rule r : values()) {
            if (r.id().equals(id)) {
                return r;
            }
        }
        return null;
    }
}
