package io.rampart.server.config;

import java.nio.file.Path;

/** Maps a realm of type {@code ldap} onto its settings and opener. */
final class LdapRealmSection {

    private LdapRealmSection() {
    }

    static SecurityConfig.Realm read(ConfigNode realm, Path dataDir) throws ConfigException {
        throw realm.get("type").error("realm type 'ldap' is not available in this build");
    }
}
