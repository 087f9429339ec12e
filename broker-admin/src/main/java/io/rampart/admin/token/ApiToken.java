package io.rampart.admin.token;

import io.rampart.admin.net.Cidr;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An API token as stored: never the secret itself, only its SHA-256.
 *
 * @param id          public identifier, part of the token ({@code rmp_<id>_<secret>}); names it in lists and the audit log
 * @param secretHash  SHA-256 of the secret part, hex
 * @param roles       roles resolved through {@code admin.roles} (or built-in template names)
 * @param description free text from its creator
 * @param createdBy   who created it
 * @param createdAt   when
 * @param expiresAt   after this instant the token is refused
 * @param source      when set, the token is accepted only from addresses in this network
 * @param lastUsedAt  the last successful use, or {@code null}
 */
public record ApiToken(String id, String secretHash, List<String> roles, String description, String createdBy,
                       Instant createdAt, Instant expiresAt, Cidr source, Instant lastUsedAt) {

    public ApiToken {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(secretHash, "secretHash");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        roles = List.copyOf(roles);
        description = description == null ? "" : description;
        createdBy = createdBy == null ? "" : createdBy;
    }

    public ApiToken withLastUsed(Instant when) {
        return new ApiToken(id, secretHash, roles, description, createdBy, createdAt, expiresAt, source, when);
    }

    public boolean expired(Instant now) {
        return !now.isBefore(expiresAt);
    }
}
