package io.rampart.security.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Named values that describe who is connecting, used by preprocessors, authentication managers and as
 * placeholders in permission topic filters ({@code ${mqtt-clientid}}). The password is not one of them:
 * it travels separately in {@link AuthenticationRequest} so it can never end up in a topic or a log line.
 *
 * <p>Mutable while the pipeline's preprocessors run, then frozen with {@link #freeze()}.
 */
public final class IdentityVariables {

    public static final String CLIENT_ID = "mqtt-clientid";
    public static final String USERNAME = "mqtt-username";
    public static final String LISTENER = "listener-name";
    public static final String REMOTE_ADDRESS = "remote-address";
    public static final String PROTOCOL_VERSION = "mqtt-version";

    private final Map<String, String> values;
    private final boolean frozen;

    public IdentityVariables() {
        this(new LinkedHashMap<>(), false);
    }

    private IdentityVariables(Map<String, String> values, boolean frozen) {
        this.values = values;
        this.frozen = frozen;
    }

    /** The value, or {@code null} when the variable is not set. */
    public String get(String name) {
        return values.get(name);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public IdentityVariables set(String name, String value) {
        if (frozen) {
            throw new IllegalStateException("identity variables are frozen");
        }
        Objects.requireNonNull(name, "name");
        if (value == null) {
            values.remove(name);
        } else {
            values.put(name, value);
        }
        return this;
    }

    /** An immutable copy. */
    public IdentityVariables freeze() {
        return frozen ? this : new IdentityVariables(Collections.unmodifiableMap(new LinkedHashMap<>(values)), true);
    }

    /** A mutable copy. */
    public IdentityVariables copy() {
        return new IdentityVariables(new LinkedHashMap<>(values), false);
    }

    public Map<String, String> asMap() {
        return Collections.unmodifiableMap(values);
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
