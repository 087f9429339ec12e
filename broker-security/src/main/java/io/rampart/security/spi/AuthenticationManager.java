package io.rampart.security.spi;

import java.util.concurrent.CompletionStage;

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

    CompletionStage<Decision<Identity>> authenticate(AuthenticationRequest request);
}
