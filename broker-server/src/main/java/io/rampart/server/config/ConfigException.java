package io.rampart.server.config;

/**
 * An invalid or unreadable configuration. The message is meant for the operator as is:
 * {@code "<source>: <key.path>: <reason>"}, for example
 * {@code "config/broker.yaml: listeners[1].port: must be between 0 and 65535 (was 70000)"}.
 * Problems that concern the whole file (unreadable, empty, YAML syntax) have an empty key path and read
 * {@code "<source>: <reason>"}.
 */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final String keyPath;
    private final String reason;

    /**
     * @param source  where the configuration came from, usually the file name
     * @param keyPath the offending key, e.g. {@code mqtt.max-qos} or {@code listeners[0].bind}; empty for the whole file
     * @param reason  what is wrong and, where it helps, what is allowed
     */
    public ConfigException(String source, String keyPath, String reason) {
        super(keyPath == null || keyPath.isEmpty()
                ? source + ": " + reason
                : source + ": " + keyPath + ": " + reason);
        this.source = source;
        this.keyPath = keyPath == null ? "" : keyPath;
        this.reason = reason;
    }

    public String source() {
        return source;
    }

    public String keyPath() {
        return keyPath;
    }

    public String reason() {
        return reason;
    }
}
