package io.rampart.server.admin;

/**
 * One operation of the admin listener. Runs on the admin listener's own event loop (never on an MQTT
 * I/O thread); it must not block for long.
 */
@FunctionalInterface
public interface AdminEndpoint {

    AdminResponse handle(AdminRequest request);
}
