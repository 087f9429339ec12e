package io.rampart.security.pipeline;

import io.rampart.security.limits.IdentityLimits;
import io.rampart.security.permission.CompiledPermissions;
import io.rampart.security.permission.Permission;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;

import java.util.List;

/** Outcome of running a pipeline for one CONNECT. */
public sealed interface SecurityResult permits SecurityResult.Accepted, SecurityResult.Refused {

    /**
     * @param identity    who the client is
     * @param permissions compiled for this session
     * @param variables   the frozen identity variables (placeholders of later recompiles use them)
     * @param authorizer  the authorization managers that granted the permissions, joined with {@code +} in chain
     *                    order, or the authentication manager when the identity's own grants (or, for a known user,
     *                    no permissions) apply
     * @param granted     the rules the permissions were compiled from (placeholders not substituted), to tell
     *                    whether a re-authorization changed anything
     * @param limits      the strictest of the limits the allowing authorization managers set,
     *                    {@link IdentityLimits#NONE} when none did
     */
    record Accepted(Identity identity, CompiledPermissions permissions, IdentityVariables variables,
                    String authorizer, List<Permission> granted, IdentityLimits limits) implements SecurityResult {

        public Accepted {
            granted = List.copyOf(granted);
            limits = limits == null ? IdentityLimits.NONE : limits;
        }

        /** Without limits. */
        public Accepted(Identity identity, CompiledPermissions permissions, IdentityVariables variables,
                        String authorizer, List<Permission> granted) {
            this(identity, permissions, variables, authorizer, granted, IdentityLimits.NONE);
        }
    }

    /**
     * @param kind    bad credentials, not authorized or unavailable
     * @param reason  operator-facing reason (never a secret)
     * @param manager the manager that refused, or "pipeline" when the chain ended without an answer
     * @param realm   the realm behind it, or {@code null}
     */
    record Refused(Decision.DenyKind kind, String reason, String manager, String realm) implements SecurityResult {
    }
}
