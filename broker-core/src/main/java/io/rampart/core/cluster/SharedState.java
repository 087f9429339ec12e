package io.rampart.core.cluster;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * State that every node of a cluster shares: named replicated tables (bans, API tokens, admin sessions, detections)
 * and signals sent to every other node (brute-force counters). A single broker has none: its stores keep their
 * state to themselves and never ask for this.
 *
 * <p>Every value crosses the cluster's TLS transport and is held in the memory of every node: callers put in only
 * what every node may know (hashes of secrets, never the secrets).
 */
public interface SharedState {

    /** The table {@code name}, the same on every node; created on first use. */
    SharedTable table(String name);

    /**
     * Sends {@code data} to every other node of the cluster, where the handler of {@code channel} receives it. Never
     * blocks; a signal to a node that is leaving or unreachable is lost.
     */
    void signal(String channel, byte[] data);

    /** Receives the signals other nodes send on {@code channel}; one handler per channel. */
    void onSignal(String channel, Consumer<byte[]> handler);

    /**
     * Asks node {@code node} (by name): its handler of {@code channel} answers {@code request}. Fails when there is no
     * such node, it has no handler, or no answer comes within {@code timeout}. Never blocks.
     */
    CompletionStage<byte[]> ask(String node, String channel, byte[] request, Duration timeout);

    /** Answers what other nodes ask on {@code channel}; runs on a cluster thread, never an event loop. */
    void onAsk(String channel, Function<byte[], byte[]> handler);

    /** This node's name in the cluster. */
    String nodeName();

    /** The names of the nodes in the cluster now, this one included. */
    List<String> nodeNames();
}
