package io.rampart.admin.ban;

import io.rampart.admin.net.Cidr;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * One ban: a client id, a user name or an address (or network) that may not connect.
 *
 * @param id        identifier in the API and the audit log
 * @param kind      what {@code value} is
 * @param value     the client id, the user name, or the address / CIDR network in normal form
 * @param reason    why (shown to operators, never sent to the client)
 * @param createdBy who banned
 * @param createdAt when
 * @param expiresAt when the ban ends, or {@code null} for never
 */
public record Ban(String id, Kind kind, String value, String reason, String createdBy, Instant createdAt,
                 Instant expiresAt) {

    /** What a ban matches. */
    public enum Kind {
        CLIENT_ID, USERNAME, ADDRESS;

        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Kind byId(String id) {
            for (Kind k : values()) {
                if (k.id().equals(id)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("must be one of client-id, username, address (was \"" + id + "\")");
        }
    }

    public Ban {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(createdAt, "createdAt");
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("value: must not be empty");
        }
        if (value.length() > 65_535 || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("value: must be at most 65535 characters without NUL");
        }
        if (kind == Kind.ADDRESS) {
            value = Cidr.parse(value).toString();
        }
        reason = reason == null ? "" : reason;
        createdBy = createdBy == null ? "" : createdBy;
    }

    public boolean expired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    /** Whether a client with these properties is hit by this ban. */
    public boolean matches(String clientId, String username, InetAddress address) {
        return switch (kind) {
            case CLIENT_ID -> value.equals(clientId);
            case USERNAME -> value.equals(username);
            case ADDRESS -> Cidr.parse(value).contains(address);
        };
    }

    /** "client-id 'dev-1'" and the like, for logs and answers. */
    public String describe() {
        return kind.id() + " '" + value + "'";
    }
}
