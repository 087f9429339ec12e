package io.rampart.security.spi;

/**
 * A manager's answer: allow, deny with a reason, or no opinion (ask the next manager). When every
 * manager of a chain has no opinion, the chain denies.
 *
 * @param <T> what an allow carries (an {@link Identity} for authentication, permissions for authorization)
 */
public sealed interface Decision<T> permits Decision.Allow, Decision.Deny, Decision.NoOpinion {

    record Allow<T>(T value) implements Decision<T> {
    }

    /**
     * @param kind   what kind of refusal (maps to MQTT reason codes)
     * @param reason operator-facing text for the access log; never contains a secret
     */
    record Deny<T>(DenyKind kind, String reason) implements Decision<T> {
    }

    record NoOpinion<T>(String reason) implements Decision<T> {
    }

    /** This decision with an allow's value mapped by {@code f}; a deny or a no opinion stays as it is. */
    default <U> Decision<U> map(java.util.function.Function<? super T, ? extends U> f) {
        if (this instanceof Allow<T> allow) {
            return allow(f.apply(allow.value()));
        }
        if (this instanceof Deny<T> deny) {
            return deny(deny.kind(), deny.reason());
        }
        return noOpinion(((NoOpinion<T>) this).reason());
    }

    static <T> Decision<T> allow(T value) {
        return new Allow<>(value);
    }

    static <T> Decision<T> deny(DenyKind kind, String reason) {
        return new Deny<>(kind, reason);
    }

    static <T> Decision<T> noOpinion(String reason) {
        return new NoOpinion<>(reason);
    }

    /** Kinds of refusal, mapped to MQTT 5 CONNACK 0x86 / 0x87 / 0x88 and MQTT 3 return codes 4 / 5 / 3. */
    enum DenyKind {
        /** Unknown user or wrong password. */
        BAD_CREDENTIALS,
        /** Known, but not allowed here. */
        NOT_AUTHORIZED,
        /** The realm could not answer (unreachable, timed out, failed). */
        UNAVAILABLE
    }
}
