package io.rampart.core.cluster;

import io.rampart.core.session.SessionOwner;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where each client id's session lives. A client id is unique across the cluster: before a CONNECT binds a session,
 * the directory makes this node its home, moving the session here from the node that holds it (which disconnects its
 * connection, MQTT 5 reason 0x8E) or ending it there for a clean start.
 */
public interface SessionDirectory {

    /** One node: every session is here already. */
    SessionDirectory LOCAL = (clientId, cleanStart, owner) -> Claim.HERE_NOW;

    /**
     * Makes this node the home of {@code clientId}'s session. On completion with {@link Outcome#HERE} a session that
     * existed elsewhere is in this node's session store (offline), ready to be resumed.
     */
    CompletionStage<Claim> claim(String clientId, boolean cleanStart, SessionOwner owner);

    /** How a claim ended. */
    enum Outcome {
        /** The session (if any) is on this node now. */
        HERE,
        /** The session belongs to another identity (client-id ownership strict): nothing was changed. */
        HELD_BY_OTHER,
        /** The cluster cannot decide now (a node did not answer, this node is cut off). */
        UNAVAILABLE
    }

    /**
     * @param outcome how it ended
     * @param heldBy  for {@link Outcome#HELD_BY_OTHER}: the identity holding the session
     * @param reason  for {@link Outcome#UNAVAILABLE}: why, for the log
     */
    record Claim(Outcome outcome, SessionOwner heldBy, String reason) {

        public static final Claim HERE = new Claim(Outcome.HERE, null, null);
        public static final CompletableFuture<Claim> HERE_NOW = CompletableFuture.completedFuture(HERE);

        public static Claim heldBy(SessionOwner owner) {
            return new Claim(Outcome.HELD_BY_OTHER, owner, null);
        }

        public static Claim unavailable(String reason) {
            return new Claim(Outcome.UNAVAILABLE, null, reason);
        }
    }
}
