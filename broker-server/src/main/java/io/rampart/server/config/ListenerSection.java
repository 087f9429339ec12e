package io.rampart.server.config;

import io.rampart.tls.TlsSettings;

import java.util.List;

/** Maps one entry of {@code listeners:} onto {@link ListenerConfig}. */
final class ListenerSection {

    static final List<String> KEYS = List.of("type", "name", "bind", "port", "path", "allow-anonymous", "tls",
            "max-connections", "allow-plaintext");
    static final int DEFAULT_TLS_PORT = 8883;
    static final int DEFAULT_SECURE_WEBSOCKET_PORT = 8443;

    private ListenerSection() {
    }

    static ListenerConfig read(ConfigNode listener) throws ConfigException {
        listener.requireKeys(KEYS);
        ListenerType type = listener.get("type").enumValue(ListenerType.class);
        String name = listener.get("name").string();
        String bind = listener.get("bind").string(ListenerConfig.DEFAULT_BIND);
        int port = switch (type) {
            case TLS -> listener.get("port").intValue(DEFAULT_TLS_PORT);
            case SECURE_WEBSOCKET -> listener.get("port").intValue(DEFAULT_SECURE_WEBSOCKET_PORT);
            default -> listener.get("port").intValue();
        };
        String path = listener.get("path").string(null);
        boolean allowAnonymous = listener.get("allow-anonymous").booleanValue(false);
        int maxConnections = listener.get("max-connections").intValue(0);
        boolean allowPlaintext = listener.get("allow-plaintext").booleanValue(false);
        ConfigNode tlsNode = listener.get("tls");
        TlsSettings tls = null;
        if (!tlsNode.isAbsentOrNull()) {
            if (!type.isTls() && type != ListenerType.ADMIN) {
                throw tlsNode.error("is only allowed on tls, secure-websocket and admin listeners");
            }
            tls = TlsSection.read(tlsNode);
        }
        try {
            return new ListenerConfig(type, name, bind, port, path, allowAnonymous, tls, maxConnections, allowPlaintext);
        } catch (IllegalArgumentException e) {
            throw listener.invalid(e);
        }
    }
}
