package io.rampart.server.metrics;

/** What a client was refused: the {@code action} tag of {@code rampart.authz.denials}. */
public enum AuthzAction {
    PUBLISH("publish"),
    SUBSCRIBE("subscribe"),
    WILL("will"),
    /** A message matched a wildcard subscription on a topic the receiver may not read. */
    RECEIVE("receive");

    private final String tag;

    AuthzAction(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }
}
