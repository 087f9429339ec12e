/**
 * The seams through which a cluster extends the core: routing hand-off to other nodes ({@link
 * io.rampart.core.cluster.RemoteRouting}), the journal that replicates sessions ({@link
 * io.rampart.core.cluster.SessionJournal}), retained-message replication ({@link
 * io.rampart.core.cluster.RetainedReplication}) and the cluster-wide client-id directory ({@link
 * io.rampart.core.cluster.SessionDirectory}) and the routing table's view of this node's subscriptions ({@link
 * io.rampart.core.cluster.RouteListener}). Each has a single-node implementation that does nothing and costs
 * nothing; {@link io.rampart.core.cluster.ClusterSeams#SINGLE_NODE} bundles them.
 *
 * <p>{@link io.rampart.core.cluster.SharedState} is what the security state every node shares (bans, brute-force
 * counters, admin API tokens and sessions, detections) is kept in; a single broker has none.
 */
package io.rampart.core.cluster;
