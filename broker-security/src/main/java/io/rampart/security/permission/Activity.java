package io.rampart.security.permission;

/** What a permission is about. */
public enum Activity {
    PUBLISH, SUBSCRIBE, ALL;

    public boolean coversPublish() {
        return this != SUBSCRIBE;
    }

    public boolean coversSubscribe() {
        return this != PUBLISH;
    }
}
