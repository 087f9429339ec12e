package io.rampart.core.topic;

/**
 * How many sessions subscribe to one topic filter.
 *
 * @param filter      the filter, without any {@code $share/group/} prefix
 * @param subscribers non-shared subscriptions to it
 * @param shared      members of shared subscription groups on it (all groups together)
 */
public record FilterCount(String filter, int subscribers, int shared) {

    public int total() {
        return subscribers + shared;
    }
}
