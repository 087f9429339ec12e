package io.rampart.server.config;

import java.util.Map;

/** Maps an authentication manager of type {@code x509} (client-certificate identity) onto its settings. */
final class X509ManagerSection {

    private X509ManagerSection() {
    }

    static SecurityConfig.Manager read(ConfigNode node, Map<String, String> realms) throws ConfigException {
        throw node.get("type").error("manager type 'x509' is not available in this build");
    }
}
