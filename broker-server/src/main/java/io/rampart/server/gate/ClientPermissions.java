package io.rampart.server.gate;

import io.rampart.security.limits.IdentityLimits;
import io.rampart.security.permission.CompiledPermissions;

/**
 * What an authenticated connection may do, asked on every PUBLISH, SUBSCRIBE, delivery and for the will.
 * Checks run on the event loop, so implementations answer from memory. Implementations backed by a
 * realm may change while the session lives (realm reload) and may ask for the session to be closed.
 */
public interface ClientPermissions {

    boolean mayPublish(String topic, int qos, boolean retain);

    /**
     * @param filter     the filter without a {@code $share/group/} prefix
     * @param shareGroup the share group, or {@code null}
     */
    boolean maySubscribe(String filter, int qos, String shareGroup);

    /**
     * Why this identity may not use {@code clientId} (its client-id rules refuse it), for the access log; or
     * {@code null} when it may. Asked once, at CONNECT. Default: any client id.
     */
    default String clientIdRefusal(String clientId) {
        return null;
    }

    /**
     * {@link #mayPublish} with the rule that decided, for operators (a denial's recent event, a trace recording):
     * a second walk over the rules, so asked only off the path of allowed messages. {@code null} when these
     * permissions have no rules to name (the default).
     */
    default CompiledPermissions.Verdict explainPublish(String topic, int qos, boolean retain) {
        return null;
    }

    /** {@link #maySubscribe} with the rule that decided, as {@link #explainPublish}. */
    default CompiledPermissions.Verdict explainSubscribe(String filter, int qos, String shareGroup) {
        return null;
    }

    /** {@link #clientIdRefusal} with the client-id rule that decided, as {@link #explainPublish}. */
    default CompiledPermissions.Verdict explainClientId(String clientId) {
        return null;
    }

    /** Whether a message on {@code topic} may be delivered through one of the session's subscriptions. */
    default boolean mayReceive(String topic) {
        return true;
    }

    /**
     * When the credential behind these permissions stops being valid (a token's expiry plus grace), or
     * {@code null} for never. The connection closes the session then, unless it re-authenticated.
     */
    default java.time.Instant expiresAt() {
        return null;
    }

    /** The reason string of the disconnect at {@link #expiresAt()}: what expired. */
    default String expiryReason() {
        return "credentials expired";
    }

    /** The roles of the identity behind these permissions (shown to operators); empty when it has none. */
    default java.util.Set<String> roles() {
        return java.util.Set.of();
    }

    /**
     * The limits set for the identity (by its user and roles), {@link IdentityLimits#NONE} when none are. Like the
     * permissions they may change while the session lives; the session is told ({@link LiveSession#limitsChanged}).
     */
    default IdentityLimits limits() {
        return IdentityLimits.NONE;
    }

    /** Called once the session is live; {@code session} is how to reach it from any thread. */
    default void attach(LiveSession session) {
    }

    /** Called when the connection has closed. */
    default void detach() {
    }

    /** The live session permissions belong to, reached from outside its event loop. */
    interface LiveSession {

        /** Closes it (e.g. its user was removed from the realm). */
        void disconnect(int reasonCode, String reason);

        /** The {@link ClientPermissions#limits()} changed (a realm change re-authorized the session): they apply from now on. */
        void limitsChanged();
    }

    /** No restriction: used for listeners that explicitly allow anonymous clients without a pipeline. */
    ClientPermissions UNRESTRICTED = new ClientPermissions() {
        @Override
        public boolean mayPublish(String topic, int qos, boolean retain) {
            return true;
        }

        @Override
        public boolean maySubscribe(String filter, int qos, String shareGroup) {
            return true;
        }
    };
}
