package io.rampart.server.config;

import io.rampart.security.x509.X509Settings;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Maps an authentication manager of type {@code x509} (client-certificate identity) onto its settings. */
final class X509ManagerSection {

    static final List<String> KEYS = List.of("type", "name", "identity", "must-match", "realm", "ou-roles",
            "permissions");
    /** The certificate variables an identity can be taken from. */
    static final List<String> IDENTITY_FIELDS = List.of("tls-subject-cn", "tls-subject-dn", "tls-subject-o",
            "tls-subject-ou", "tls-san-dns", "tls-san-uri", "tls-san-email", "tls-serial", "tls-fingerprint-sha256");

    private X509ManagerSection() {
    }

    static SecurityConfig.Manager read(ConfigNode node, Map<String, String> realms) throws ConfigException {
        node.requireKeys(KEYS);
        String name = node.get("name").string("x509");
        ConfigNode identityNode = node.get("identity");
        String identity = identityNode.string("tls-subject-cn");
        if (!IDENTITY_FIELDS.contains(identity)) {
            throw identityNode.error("must be one of " + String.join(", ", IDENTITY_FIELDS) + " (was \"" + identity + "\")");
        }
        X509Settings.MustMatch mustMatch = node.get("must-match").enumValue(X509Settings.MustMatch.class,
                X509Settings.MustMatch.NONE);
        String realm = node.get("realm").isAbsentOrNull() ? null : SecuritySection.realmRef(node.get("realm"), realms);
        Map<String, Set<String>> ouRoles = new LinkedHashMap<>();
        ConfigNode ou = node.get("ou-roles");
        if (!ou.isAbsentOrNull()) {
            ou.requireKeys(null);
            for (String unit : ou.keys()) {
                ConfigNode roles = ou.get(unit);
                Set<String> names = new LinkedHashSet<>();
                if (roles.isAbsentOrNull()) {
                    throw roles.error("must name a role or a list of roles");
                }
                try {
                    for (ConfigNode r : roles.elements()) {
                        names.add(r.string());
                    }
                } catch (ConfigException notAList) {
                    names.add(roles.string());
                }
                ouRoles.put(unit, names);
            }
        }
        ConfigNode perms = node.get("permissions");
        X509Settings settings = new X509Settings(name, identity, mustMatch, realm, ouRoles,
                perms.isAbsentOrNull() ? List.of() : SecuritySection.permissions(perms, null, "manager '" + name + "'"));
        return new SecurityConfig.Manager("x509", name, realm, settings.grants(), null, Map.of(), settings);
    }
}
