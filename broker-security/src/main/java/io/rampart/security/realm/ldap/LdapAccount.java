package io.rampart.security.realm.ldap;

import io.rampart.security.permission.Permission;

import java.util.List;
import java.util.Set;

/**
 * What the directory says about one user, as cached by the realm.
 *
 * @param username    the MQTT user name it was found by
 * @param dn          the user's entry
 * @param roles       names of the groups it belongs to (directly, or through nested groups)
 * @param permissions rules read from the entry and its groups (empty unless {@code permissions.from-ldap})
 * @param problem     why the stored rules cannot be used (an invalid value), or {@code null}
 */
record LdapAccount(String username, String dn, Set<String> roles, List<Permission> permissions, String problem) {

    LdapAccount {
        roles = Set.copyOf(roles);
        permissions = List.copyOf(permissions);
    }
}
