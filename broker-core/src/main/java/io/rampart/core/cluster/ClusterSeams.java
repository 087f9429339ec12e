package io.rampart.core.cluster;

import java.util.Objects;

/**
 * The cluster's implementations of the core's seams, handed to the core when it is built.
 *
 * @param routing   routing hand-off to other nodes
 * @param journal   session replication
 * @param retained  retained-message replication
 * @param directory the cluster-wide client-id directory
 * @param routes    the routing table's view of this node's subscriptions
 */
public record ClusterSeams(RemoteRouting routing, SessionJournal journal, RetainedReplication retained,
                           SessionDirectory directory, RouteListener routes) {

    /** One node on its own: every seam does nothing. */
    public static final ClusterSeams SINGLE_NODE = new ClusterSeams(RemoteRouting.NONE, SessionJournal.NONE,
            RetainedReplication.NONE, SessionDirectory.LOCAL, RouteListener.NONE);

    public ClusterSeams {
        Objects.requireNonNull(routes, "routes");
        Objects.requireNonNull(routing, "routing");
        Objects.requireNonNull(journal, "journal");
        Objects.requireNonNull(retained, "retained");
        Objects.requireNonNull(directory, "directory");
    }
}
