package io.rampart.tls;

/** TLS material or settings that cannot be used; the message names the file or setting and the reason. */
public final class TlsConfigException extends Exception {

    public TlsConfigException(String message) {
        super(message);
    }

    public TlsConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
