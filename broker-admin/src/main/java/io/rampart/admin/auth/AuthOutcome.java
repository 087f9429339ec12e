package io.rampart.admin.auth;

/** The result of authenticating one admin request. */
public sealed interface AuthOutcome permits AuthOutcome.Authenticated, AuthOutcome.Failed {

    /**
     * @param principal who is calling
     * @param session   the browser session it came with, or {@code null}
     * @param note      for the audit log (e.g. a login delay), or {@code null}
     */
    record Authenticated(AdminPrincipal principal, AdminSessions.Session session, String note) implements AuthOutcome {
    }

    /**
     * @param status    401 (no or wrong credentials) or 503 (the realm could not answer)
     * @param detail    what the caller is told (never why exactly the credentials were wrong)
     * @param reason    what the audit log records
     * @param user      the user name tried, or {@code null}
     * @param method    the credential kind tried, or {@code null} when none was presented
     * @param tokenId   the API token id tried, or {@code null}
     */
    record Failed(int status, String detail, String reason, String user, AuthMethod method, String tokenId)
            implements AuthOutcome {
    }
}
