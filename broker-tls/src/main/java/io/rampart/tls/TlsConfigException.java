package io.rampart.tls;

/**
 * TLS material or settings that cannot be used; the message names the file or setting and the reason, and
 * {@link #key()} the setting of the listener's {@code tls:} block it concerns, when known.
 */
public final class TlsConfigException extends Exception {

    private final String key;

    public TlsConfigException(String message) {
        this(null, message, null);
    }

    public TlsConfigException(String message, Throwable cause) {
        this(null, message, cause);
    }

    /** @param key the setting within the listener's {@code tls:} block, e.g. {@code private-key-password} */
    public TlsConfigException(String key, String message, Throwable cause) {
        super(message, cause);
        this.key = key;
    }

    /** The setting within the listener's {@code tls:} block, e.g. {@code sni[0].keystore-password}, or {@code null}. */
    public String key() {
        return key;
    }

    /** The same problem located below {@code prefix} (e.g. {@code sni[1]}, {@code trust}). */
    TlsConfigException under(String prefix) {
        TlsConfigException moved = new TlsConfigException(key == null ? prefix : prefix + "." + key, getMessage(),
                getCause());
        moved.setStackTrace(getStackTrace());
        return moved;
    }
}
