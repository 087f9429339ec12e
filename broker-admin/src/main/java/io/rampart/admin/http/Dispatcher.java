package io.rampart.admin.http;

import java.util.concurrent.CompletionStage;

/** Answers the requests of admin listeners. */
public interface Dispatcher {

    /**
     * An answer that needs no work off the event loop (health), or {@code null} to go through
     * {@link #dispatch}. Must not block.
     */
    HttpAnswer immediate(HttpCall call);

    /** Answers a request; called off the event loop. Must not complete exceptionally for ordinary errors. */
    CompletionStage<HttpAnswer> dispatch(HttpCall call);
}
