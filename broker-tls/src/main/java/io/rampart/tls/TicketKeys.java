package io.rampart.tls;

import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;

import java.security.SecureRandom;
import java.util.List;

/**
 * The session ticket keys of one OpenSSL listener: the current key encrypts new tickets, the previous one
 * still decrypts those issued before the last rotation. Rotated every session lifetime, so no ticket can be
 * used longer than two lifetimes, whatever its lifetime hint says, and a key never outlives a restart.
 */
final class TicketKeys {

    private static final SecureRandom RANDOM = new SecureRandom();

    private volatile OpenSslSessionTicketKey current = newKey();
    private volatile OpenSslSessionTicketKey previous;

    synchronized void rotate() {
        previous = current;
        current = newKey();
    }

    /** Installs the keys in each context (Netty then also enables TLS 1.2 tickets, which it leaves off by default). */
    void applyTo(List<SslContext> contexts) {
        OpenSslSessionTicketKey[] keys;
        synchronized (this) {
            keys = previous == null ? new OpenSslSessionTicketKey[]{current}
                    : new OpenSslSessionTicketKey[]{current, previous};
        }
        for (SslContext c : contexts) {
            if (c instanceof ReferenceCountedOpenSslContext openssl) {
                openssl.sessionContext().setTicketKeys(keys);
            }
        }
    }

    private static OpenSslSessionTicketKey newKey() {
        return new OpenSslSessionTicketKey(random(OpenSslSessionTicketKey.NAME_SIZE),
                random(OpenSslSessionTicketKey.HMAC_KEY_SIZE), random(OpenSslSessionTicketKey.AES_KEY_SIZE));
    }

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        RANDOM.nextBytes(b);
        return b;
    }
}
