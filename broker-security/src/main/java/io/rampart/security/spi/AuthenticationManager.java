package io.rampart.security.spi;

import java.util.Set;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
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
        };
    }
}
