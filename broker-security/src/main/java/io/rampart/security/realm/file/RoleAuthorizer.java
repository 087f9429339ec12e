package io.rampart.security.realm.file;

import io.rampart.security.permission.Permission;
import io.rampart.security.spi.AuthorizationManager;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;

import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Permissions from a realm file. An identity named like a user of the file gets that user's permissions plus
 * those of its roles (and of any other roles the identity carries that the file defines). Any other identity
 * carrying roles the file defines (e.g. from a certificate or token mapping) gets those roles' permissions.
 * Otherwise no opinion.
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
    public CompletionStage<Decision<List<Permission>>> authorize(Identity identity, IdentityVariables variables) {
        RealmContent current = content.get();
        // Sorted so the result does not depend on set iteration order.
        TreeSet<String> knownRoles = new TreeSet<>(identity.roles());
        knownRoles.retainAll(current.roles().keySet());
        UserEntry user = current.users().get(identity.name());
        if (user != null) {
            return CompletableFuture.completedFuture(Decision.allow(current.permissionsOf(user, knownRoles)));
        }
        if (!knownRoles.isEmpty()) {
            return CompletableFuture.completedFuture(Decision.allow(current.permissionsOfRoles(knownRoles)));
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
