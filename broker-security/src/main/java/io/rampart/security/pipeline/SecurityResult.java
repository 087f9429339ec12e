package io.rampart.security.pipeline;

import io.rampart.security.permission.CompiledPermissions;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;

/** Outcome of running a pipeline for one CONNECT. */
public sealed interface SecurityResult permits SecurityResult.Accepted, SecurityResult.Refused {

    /**
     * @param identity    who the client is
     * @param permissions compiled for this session
     * @param variables   the frozen identity variables (placeholders of later recompiles use them)
     * @param authorizer  the authorization manager that granted the permissions ("identity" for own grants)
     */
    record Accepted(Identity identity, CompiledPermissions permissions, IdentityVariables variables,
                    String authorizer) implements SecurityResult {
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
