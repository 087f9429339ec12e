package io.rampart.server.gate;

import java.util.concurrent.CompletionStage;

/**
 * Decides whether a CONNECT may proceed. The connection reads nothing more until the returned stage
 * completes; implementations that do I/O must do it off the event loop. A stage completing
 * exceptionally is treated as "server unavailable".
 */
public interface ConnectGate {

    CompletionStage<ConnectDecision> authenticate(ConnectRequest request);
}
