package io.rampart.security.spi;

import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * One link of a listener's authorization chain: turns an authenticated identity into the permissions and limits
 * of its session ({@link Grant}). Runs once per CONNECT (and again when the realm changes), never per message.
 *
 * <p>Every manager of the chain is asked; the permissions of all that allow are combined (a deny rule of one
 * still overrides an allow rule of another) and the strictest of their limits applies, and one deny refuses the
 * identity whatever the others said. A realm answers for the users it knows: allow with their permissions (possibly
 * none) and limits, deny for an identity whose
 * {@link Identity#rolesRealm() user record} it holds but no longer finds, and no opinion for identities it
 * knows nothing about.
 */
public interface AuthorizationManager {

    String name();

    default String realm() {
        return null;
    }

    CompletionStage<Decision<Grant>> authorize(Identity identity, IdentityVariables variables);

    /**
     * Registers a callback for when the permissions this manager hands out may have changed (e.g. a realm
     * file was reloaded), so live sessions can be re-authorized. Default: never changes.
     */
    default void onChange(Runnable listener) {
    }

    /**
     * A manager of realm {@code realm} (may be {@code null}) named {@code name}, answering with {@code authorize};
     * {@code changes} registers change listeners (see {@link #onChange}), or is {@code null} when the
     * permissions never change.
     */
    static AuthorizationManager of(String name, String realm,
                                   BiFunction<Identity, IdentityVariables, CompletionStage<Decision<Grant>>> authorize,
                                   Consumer<Runnable> changes) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(authorize, "authorize");
        return new AuthorizationManager() {
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
                return authorize.apply(identity, variables);
            }

            @Override
            public void onChange(Runnable listener) {
                if (changes != null) {
                    changes.accept(listener);
                }
            }
        };
    }
}
