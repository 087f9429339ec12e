package io.rampart.server.config;

import java.util.Locale;

/** The kind of network listener; written in YAML in lower case with dashes ({@code tcp}, {@code websocket}). */
public enum ListenerType {
    /** Plain MQTT over TCP. */
    TCP,
    /** MQTT over WebSocket (HTTP upgrade on a path). */
    WEBSOCKET;

    /** The spelling used in the configuration file. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
