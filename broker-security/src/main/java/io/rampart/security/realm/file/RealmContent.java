package io.rampart.security.realm.file;

import io.rampart.security.permission.Permission;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One validated version of a realm file; immutable, swapped as a whole on reload. */
record RealmContent(Map<String, UserEntry> users, Map<String, List<Permission>> roles, byte[] digest) {

    static final RealmContent EMPTY = new RealmContent(Map.of(), Map.of(), new byte[0]);

    RealmContent {
        users = Collections.unmodifiableMap(new LinkedHashMap<>(users));
        roles = Collections.unmodifiableMap(new LinkedHashMap<>(roles));
        digest = digest.clone();
    }

    /** The user's own permissions followed by those of its roles and of the extra roles known here. */
    List<Permission> permissionsOf(UserEntry user, Collection<String> extraRoles) {
        Set<String> roleNames = new LinkedHashSet<>(user.roles());
        roleNames.addAll(extraRoles);
        List<Permission> result = new ArrayList<>(user.permissions());
        result.addAll(permissionsOfRoles(roleNames));
        return List.copyOf(result);
    }

    /** Permissions of the given roles that exist in this file, in the given order; unknown roles are skipped. */
    List<Permission> permissionsOfRoles(Collection<String> roleNames) {
        List<Permission> result = new ArrayList<>();
        for (String role : roleNames) {
            List<Permission> permissions = roles.get(role);
            if (permissions != null) {
                result.addAll(permissions);
            }
        }
        return List.copyOf(result);
    }
}
