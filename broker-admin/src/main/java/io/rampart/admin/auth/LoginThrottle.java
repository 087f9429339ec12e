package io.rampart.admin.auth;

import java.net.InetAddress;

/**
 * Slows down repeated failed logins, per address and per user (the broker's brute-force brake behind an
 * adapter). An attempt waits {@link #delayMillis} before it is evaluated.
 */
public interface LoginThrottle {

    /** No throttling. */
    LoginThrottle NONE = new LoginThrottle() {
        @Override
        public long delayMillis(InetAddress address, String user) {
            return 0;
        }

        @Override
        public void failure(InetAddress address, String user) {
        }

        @Override
        public void success(InetAddress address, String user) {
        }
    };

    /** @param user the user name tried, or {@code null} (tokens) */
    long delayMillis(InetAddress address, String user);

    void failure(InetAddress address, String user);

    void success(InetAddress address, String user);
}
