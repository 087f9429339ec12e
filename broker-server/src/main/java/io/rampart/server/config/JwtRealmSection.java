package io.rampart.server.config;

import java.nio.file.Path;
import java.util.Map;

/** Maps a realm of type {@code jwt} onto its settings and opener. */
final class JwtRealmSection {

    private JwtRealmSection() {
    }

    static SecurityConfig.Realm read(ConfigNode realm, Path dataDir) throws ConfigException {
        throw realm.get("type").error("realm type 'jwt' is not available in this build");
    }

    /** An authentication manager of type {@code jwt} bound to a jwt realm. */
    static SecurityConfig.Manager manager(ConfigNode node, Map<String, String> realms) throws ConfigException {
        throw node.get("type").error("manager type 'jwt' is not available in this build");
    }
}
