package io.rampart.security.pipeline;

/**
 * Told about each manager that a security pipeline asks while it decides one CONNECT, for distributed tracing:
 * which chain, which manager and realm, how it answered and when it ran. It never receives what the client
 * presented (passwords, tokens, authentication data).
 */
@FunctionalInterface
public interface ChainTrace {

    /** Learns nothing. */
    ChainTrace NONE = (chain, manager, realm, outcome, reason, startedNanos, endedNanos) -> { };

    /** The two chains of a security pipeline. */
    enum Chain { AUTHENTICATION, AUTHORIZATION }

    /** How a manager answered. */
    enum Outcome {
        ALLOW, DENY, NO_OPINION,
        /** It failed or did not answer within the pipeline's timeout. */
        UNAVAILABLE
    }

    /**
     * One manager answered.
     *
     * @param realm        the realm behind the manager, or {@code null}
     * @param reason       the refusal or failure reason as the access log would show it, or {@code null}
     * @param startedNanos {@link System#nanoTime()} when the manager was called (or, if it never ran, asked for)
     * @param endedNanos   {@link System#nanoTime()} when its answer arrived
     */
    void answered(Chain chain, String manager, String realm, Outcome outcome, String reason, long startedNanos,
                  long endedNanos);
}
