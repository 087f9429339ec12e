package io.rampart.bench.load;

import java.nio.charset.StandardCharsets;

/**
 * The user name and password every generated client sends in CONNECT, or {@link #NONE} for anonymous
 * clients. The password is never printed.
 */
public record Login(String username, byte[] password) {

    public static final Login NONE = new Login(null, null);

    public static Login of(String username, String password) {
        if (username == null || username.isEmpty()) {
            if (password != null) {
                throw new IllegalArgumentException("--password needs --username");
            }
            return NONE;
        }
        return new Login(username, password == null ? null : password.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return username == null ? "anonymous" : "user " + username;
    }
}
