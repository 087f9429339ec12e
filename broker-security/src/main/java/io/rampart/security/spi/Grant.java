package io.rampart.security.spi;

import io.rampart.security.limits.IdentityLimits;
import io.rampart.security.permission.Permission;

import java.util.List;
import java.util.Objects;

/**
 * What an {@link AuthorizationManager} grants an identity: the permission rules of its user and roles (placeholders
 * not substituted), and the limits set for them. When several managers allow, their rules combine and the strictest
 * of their limits wins.
 *
 * @param permissions the rules, possibly none
 * @param limits      the limits of the identity's user and roles, {@link IdentityLimits#NONE} when none are set
 */
public record Grant(List<Permission> permissions, IdentityLimits limits) {

    public Grant {
        permissions = List.copyOf(permissions);
        limits = Objects.requireNonNullElse(limits, IdentityLimits.NONE);
    }

    /** Rules without limits. */
    public static Grant of(List<Permission> permissions) {
        return new Grant(permissions, IdentityLimits.NONE);
    }
}
