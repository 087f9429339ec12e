package io.rampart.security.permission;

/** What a permission is about. */
public enum Activity {
    PUBLISH, SUBSCRIBE, ALL,
    /**
     * Which client ids the identity may use at CONNECT: the rule's pattern is a client-id pattern (see
     * {@link ClientIdPattern}), not a topic filter, and it says nothing about topics.
     */
    CLIENT_ID;

    public boolean coversPublish() {
        return this == PUBLISH || this == ALL;
    }

    public boolean coversSubscribe() {
        return this == SUBSCRIBE || this == ALL;
    }
}
