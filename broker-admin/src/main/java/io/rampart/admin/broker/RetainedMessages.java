package io.rampart.admin.broker;

import io.rampart.core.message.Message;

import java.util.function.Consumer;

/** The broker's retained messages. */
public interface RetainedMessages {

    /** Visits the retained messages whose topics match {@code filter} (wildcards allowed). */
    void match(String filter, Consumer<Message> visitor);

    /** The retained message of exactly {@code topic}, or {@code null}. */
    Message get(String topic);

    /** Removes the retained message of {@code topic}; {@code false} when there was none. */
    boolean delete(String topic);
}
