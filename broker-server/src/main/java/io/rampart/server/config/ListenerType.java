package io.rampart.server.config;

import java.util.Locale;

/** The kind of network listener; written in YAML in lower case with dashes ({@code tcp}, {@code websocket}, {@code tls},
 * {@code secure-websocket}, {@code admin}). */
public enum ListenerType {
    /** Plain MQTT over TCP. */
    TCP,
    /** MQTT over WebSocket (HTTP upgrade on a path). */
    WEBSOCKET,
    /** MQTT over TLS (default port 8883). */
    TLS,
    /** MQTT over WebSocket over TLS (default port 8443, path /mqtt). */
    SECURE_WEBSOCKET,
    /** HTTP for operators: metrics scrape, health and log levels (no MQTT). */
    ADMIN;

    /** Whether the listener terminates TLS. */
    public boolean isTls() {
        return this == TLS || this == SECURE_WEBSOCKET;
    }

    /** Whether the listener speaks WebSocket. */
    public boolean isWebSocket() {
        return this == WEBSOCKET || this == SECURE_WEBSOCKET;
    }

    /** The spelling used in the configuration file. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
