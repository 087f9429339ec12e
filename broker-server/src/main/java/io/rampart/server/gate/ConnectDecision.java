package io.rampart.server.gate;

/**
 * The gate's answer to a CONNECT.
 *
 * @param outcome     accepted or the kind of refusal (mapped to the v5 reason code / v3 return code)
 * @param reason      operator-facing reason, also sent as the v5 reason string when the client asked for it
 * @param permissions what the client may do once connected; {@code null} when refused
 */
public record ConnectDecision(Outcome outcome, String reason, ClientPermissions permissions) {

    /** Refusal kinds with their MQTT 5 reason code and MQTT 3 return code. */
    public enum Outcome {
        ACCEPTED(0x00, 0x00),
        BAD_CREDENTIALS(0x86, 0x04),
        NOT_AUTHORIZED(0x87, 0x05),
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

    public static ConnectDecision accept(ClientPermissions permissions) {
        return new ConnectDecision(Outcome.ACCEPTED, "accepted", permissions);
    }

    public static ConnectDecision refuse(Outcome outcome, String reason) {
        return new ConnectDecision(outcome, reason, null);
    }

    public boolean accepted() {
        return outcome == Outcome.ACCEPTED;
    }
}
