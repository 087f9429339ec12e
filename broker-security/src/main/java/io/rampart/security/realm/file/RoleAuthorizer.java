package io.rampart.security.realm.file;

import io.rampart.security.permission.Permission;
import io.rampart.security.spi.AuthorizationManager;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Grant;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;

import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Permissions and limits from a realm file, read from the content in force at each call (so a reload reaches live
 * sessions when they are re-authorized). The limits are the strictest of those of the user and of the roles whose
 * permissions apply.
 * <ul>
 *   <li>A user of this file that logged in with its password (the identity's {@link Identity#rolesRealm() user
 *       record} is here): the user's own permissions and those of the roles the file gives it <em>now</em>; the
 *       roles it held at login do not count. Deny when the user is no longer in the file.</li>
 *   <li>Any other identity (certificate, token, another realm's user) named like a user of the file: that user's
 *       permissions and roles, plus the roles the identity carries that the file defines.</li>
 *   <li>Any other identity carrying roles the file defines: those roles' permissions.</li>
 *   <li>Otherwise no opinion.</li>
 * </ul>
 */
final class RoleAuthorizer implements AuthorizationManager {

    private final String name;
    private final String realm;
    private final Supplier<RealmContent> content;
    private final Consumer<Runnable> listeners;

    RoleAuthorizer(String name, String realm, Supplier<RealmContent> content, Consumer<Runnable> listeners) {
        this.name = name;
        this.realm = realm;
        this.content = content;
        this.listeners = listeners;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String realm() {
        return realm;
    }

    @Override
    public CompletionStage<Decision<Grant>> authorize(Identity identity, IdentityVariables variables) {
        RealmContent current = content.get();
        UserEntry user = current.users().get(identity.name());
        if (realm.equals(identity.rolesRealm())) {
            if (user == null) {
                return CompletableFuture.completedFuture(Decision.deny(Decision.DenyKind.NOT_AUTHORIZED,
                        PasswordAuthenticator.quote(identity.name()) + " is no longer a user of realm '" + realm + "'"));
            }
            return CompletableFuture.completedFuture(Decision.allow(new Grant(current.permissionsOf(user, List.of()),
                    current.limitsOf(user, List.of()))));
        }
        // Sorted so the result does not depend on set iteration order.
        TreeSet<String> knownRoles = new TreeSet<>(identity.roles());
        knownRoles.retainAll(current.roles().keySet());
        if (user != null) {
            return CompletableFuture.completedFuture(Decision.allow(new Grant(current.permissionsOf(user, knownRoles),
                    current.limitsOf(user, knownRoles))));
        }
        if (!knownRoles.isEmpty()) {
            return CompletableFuture.completedFuture(Decision.allow(new Grant(current.permissionsOfRoles(knownRoles),
                    current.limitsOfRoles(knownRoles))));
        }
        return CompletableFuture.completedFuture(Decision.noOpinion(
                PasswordAuthenticator.quote(identity.name()) + " is neither a user of realm '" + realm
                        + "' nor has any of its roles"));
    }

    @Override
    public void onChange(Runnable listener) {
        listeners.accept(listener);
    }
}
