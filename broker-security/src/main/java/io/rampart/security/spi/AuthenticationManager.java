package io.rampart.security.spi;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One link of a listener's authentication chain. Implementations may be remote and slow: they return
 * a stage and must not block the calling thread on I/O (the pipeline calls them from its own executor
 * and applies a timeout). A stage that fails counts as {@link Decision.DenyKind#UNAVAILABLE}.
 */
public interface AuthenticationManager {

    /** Name used in the access log and metrics. */
    String name();

    /** Name of the realm behind this manager, or {@code null}. */
    default String realm() {
        return null;
    }

    /**
     * The MQTT 5 Authentication Methods this manager understands (e.g. {@code JWT}). A CONNECT naming a method
     * that no manager of its pipeline understands is refused with 0x8C (bad authentication method); AUTH
     * re-authentication is offered only for these. Default: none (user name and password only).
     */
    default Set<String> authenticationMethods() {
        return Set.of();
    }

    CompletionStage<Decision<Identity>> authenticate(AuthenticationRequest request);

    /**
     * The identity of a live session as this manager's realm sees it now, for re-authorizing the session after a
     * realm change. Called (off the event loop, with the pipeline's timeout) only for identities this manager
     * authenticated that carry a {@link Identity#rolesRealm() user record}: the answer is the same identity with
     * the roles its user record holds now, a deny {@link Decision.DenyKind#NOT_AUTHORIZED} when the user was removed
     * or disabled, or {@link Decision.DenyKind#UNAVAILABLE} when the realm cannot answer. Default: the identity as
     * it is (its roles came with its credential).
     */
    default CompletionStage<Decision<Identity>> refresh(Identity identity, IdentityVariables variables) {
        return CompletableFuture.completedFuture(Decision.allow(identity));
    }

    /**
     * Registers a callback for when the users or roles this manager vouches for may have changed (a realm file was
     * reloaded, a database or directory re-check is due), so live sessions can be re-authorized. Default: never
     * changes.
     */
    default void onChange(Runnable listener) {
    }

    /**
     * Whether an allow of this manager means it verified the CONNECT password (or the token sent in it). Managers
     * that vouch for a client by other means (a client certificate) answer {@code false}: the access log then notes
     * that a password the client sent was not checked, and the brute-force brake does not take the success as
     * the presented user name's. Default: {@code true}.
     */
    default boolean checksPassword() {
        return true;
    }

    /**
     * A manager of realm {@code realm} (may be {@code null}) named {@code name}, answering with {@code authenticate}:
     * what a realm hands out when it has nothing else to add.
     */
    static AuthenticationManager of(String name, String realm,
                                    Function<AuthenticationRequest, CompletionStage<Decision<Identity>>> authenticate) {
        return of(name, realm, authenticate, null, null);
    }

    /**
     * A manager as {@link #of(String, String, Function)} that also re-reads its users with {@code refresh} (see
     * {@link #refresh}; {@code null} for the default) and registers change listeners with {@code changes} (see
     * {@link #onChange}; {@code null} when its users never change).
     */
    static AuthenticationManager of(String name, String realm,
                                    Function<AuthenticationRequest, CompletionStage<Decision<Identity>>> authenticate,
                                    BiFunction<Identity, IdentityVariables, CompletionStage<Decision<Identity>>> refresh,
                                    Consumer<Runnable> changes) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(authenticate, "authenticate");
        return new AuthenticationManager() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String realm() {
                return realm;
            }

            @Override
            public CompletionStage<Decision<Identity>> authenticate(AuthenticationRequest request) {
                return authenticate.apply(request);
            }

            @Override
            public CompletionStage<Decision<Identity>> refresh(Identity identity, IdentityVariables variables) {
                return refresh == null ? AuthenticationManager.super.refresh(identity, variables)
                        : refresh.apply(identity, variables);
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
