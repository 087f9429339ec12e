package io.rampart.server.gate;

import io.rampart.core.session.SessionOwner;

/**
 * The gate's answer to a CONNECT.
 *
 * @param outcome                   accepted or the kind of refusal (mapped to the v5 reason code / v3 return code)
 * @param reason                    operator-facing reason, also sent as the v5 reason string when the client asked for it
 * @param permissions               what the client may do once connected; {@code null} when refused
 * @param identity                  who the client was authenticated as ({@code null} when refused before that)
 * @param manager                   the manager that decided (access log)
 * @param realm                     the realm behind it, or {@code null}
 * @param disconnectOnPublishDenied answer a denied PUBLISH with DISCONNECT 0x87 instead of a negative ack
 * @param owner                     who the session will belong to (name and the authority that vouched for it), or
 *                                  {@code null} for an anonymous client
 * @param logNote                   what else the access log should say about this decision (e.g. that a password
 *                                  was not checked, or a brute-force delay), or {@code null}; never sent to the client
 */
public record ConnectDecision(Outcome outcome, String reason, ClientPermissions permissions, String identity,
                              String manager, String realm, boolean disconnectOnPublishDenied, SessionOwner owner,
                              String logNote) {

    /** Refusal kinds with their MQTT 5 reason code and MQTT 3 return code. */
    public enum Outcome {
        ACCEPTED(0x00, 0x00),
        BAD_CREDENTIALS(0x86, 0x04),
        NOT_AUTHORIZED(0x87, 0x05),
        /** Refused by a ban before any realm was asked. */
        BANNED(0x8A, 0x05),
        SERVER_UNAVAILABLE(0x88, 0x03);

        private final int v5Code;
        private final int v3Code;

        Outcome(int v5Code, int v3Code) {
            this.v5Code = v5Code;
            this.v3Code = v3Code;
        }

        public int v5Code() {
            return v5Code;
        }

        public int v3Code() {
            return v3Code;
        }
    }

    public static ConnectDecision accept(ClientPermissions permissions, String identity, String manager, String realm,
                                         boolean disconnectOnPublishDenied) {
        return new ConnectDecision(Outcome.ACCEPTED, "accepted", permissions, identity, manager, realm,
                disconnectOnPublishDenied, null, null);
    }

    public static ConnectDecision refuse(Outcome outcome, String reason, String manager, String realm) {
        return new ConnectDecision(outcome, reason, null, null, manager, realm, false, null, null);
    }

    /** This decision with the session's owner set. */
    public ConnectDecision ownedBy(SessionOwner newOwner) {
        return new ConnectDecision(outcome, reason, permissions, identity, manager, realm, disconnectOnPublishDenied,
                newOwner, logNote);
    }

    /** This decision with {@code note} added to its access-log note ({@code null}: unchanged). */
    public ConnectDecision withLogNote(String note) {
        if (note == null) {
            return this;
        }
        return new ConnectDecision(outcome, reason, permissions, identity, manager, realm, disconnectOnPublishDenied,
                owner, logNote == null ? note : logNote + "; " + note);
    }

    public boolean accepted() {
        return outcome == Outcome.ACCEPTED;
    }
}
