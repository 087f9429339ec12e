package io.rampart.server.config;

import java.nio.file.Path;

/** Maps a realm of type {@code sql} onto its settings and opener. */
final class SqlRealmSection {

    private SqlRealmSection() {
    }

    static SecurityConfig.Realm read(ConfigNode realm, Path dataDir) throws ConfigException {
        throw realm.get("type").error("realm type 'sql' is not available in this build");
    }
}
