package io.rampart.server.config;

import java.util.Locale;

/** The kind of network listener; written in YAML in lower case with dashes ({@code tcp}, {@code websocket}, {@code admin}). */
public enum ListenerType {
    /** Plain MQTT over TCP. */
    TCP,
    /** MQTT over WebSocket (HTTP upgrade on a path). */
    WEBSOCKET,
    /** HTTP for operators: metrics scrape, health and log levels (no MQTT). */
    ADMIN;

    /** The spelling used in the configuration file. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
