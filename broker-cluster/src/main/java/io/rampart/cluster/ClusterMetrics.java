package io.rampart.cluster;

/**
 * What the cluster reports for the broker's metrics: forwarded traffic per peer and how long hand-offs take. Called on
 * the cluster's threads; implementations must be cheap and thread-safe.
 */
public interface ClusterMetrics {

    ClusterMetrics NONE = new ClusterMetrics() {
        @Override
        public void forwarded(String peer, int messages, long bytes) {
        }

        @Override
        public void received(String peer, int messages, long bytes) {
        }

        @Override
        public void handedOff(long nanos) {
        }

        @Override
        public void handoffFailed() {
        }
    };

    /** A batch of {@code messages} forwarded PUBLISHes ({@code bytes} on the wire) went to node {@code peer}. */
    void forwarded(String peer, int messages, long bytes);

    /** A batch arrived from node {@code peer}. */
    void received(String peer, int messages, long bytes);

    /** A QoS 1/2 message was acknowledged by every node it was forwarded to, {@code nanos} after it was routed. */
    void handedOff(long nanos);

    /** A hand-off failed (a node left or did not answer in time); the publisher is not acknowledged. */
    void handoffFailed();
}
