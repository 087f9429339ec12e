package io.rampart.core.session;

/** Why a message did not reach a subscriber. Each one is counted and logged by the server. */
public enum DropReason {
    QUEUE_FULL("queue full"),
    EXPIRED("message expired"),
    TOO_LARGE("packet larger than the receiver's maximum packet size"),
    QOS0_OFFLINE("QoS 0 message for a disconnected session"),
    SESSION_ENDED("session ended"),
    NOT_AUTHORIZED("receiver not authorized to read the topic"),
    SHED_QOS0("QoS 0 message for a slow consumer while the memory budget is short"),
    BUDGET_FULL("memory budget exhausted");

    private final String text;

    DropReason(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }
}
