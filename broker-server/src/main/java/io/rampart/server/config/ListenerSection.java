package io.rampart.server.config;

import java.util.List;

/** Maps one entry of {@code listeners:} onto {@link ListenerConfig}. */
final class ListenerSection {

    static final List<String> KEYS = List.of("type", "name", "bind", "port", "path", "allow-anonymous");

    private ListenerSection() {
    }

    static ListenerConfig read(ConfigNode listener) throws ConfigException {
        listener.requireKeys(KEYS);
        ListenerType type = listener.get("type").enumValue(ListenerType.class);
        String name = listener.get("name").string();
        String bind = listener.get("bind").string(ListenerConfig.DEFAULT_BIND);
        int port = listener.get("port").intValue();
        String path = listener.get("path").string(null);
        boolean allowAnonymous = listener.get("allow-anonymous").booleanValue(false);
        try {
            return new ListenerConfig(type, name, bind, port, path, allowAnonymous);
        } catch (IllegalArgumentException e) {
            throw listener.invalid(e);
        }
    }
}
