package io.rampart.security.spi;

import io.rampart.security.permission.Permission;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * One link of a listener's authorization chain: turns an authenticated identity into the permissions
 * of its session. Runs once per CONNECT (and again when the realm changes), never per message.
 */
public interface AuthorizationManager {

    String name();

    default String realm() {
        return null;
    }

    CompletionStage<Decision<List<Permission>>> authorize(Identity identity, IdentityVariables variables);

    /**
     * Registers a callback for when the permissions this manager hands out may have changed (e.g. a realm
     * file was reloaded), so live sessions can be re-authorized. Default: never changes.
     */
    default void onChange(Runnable listener) {
    }
}
