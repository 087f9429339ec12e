package io.rampart.cluster.membership;

import java.util.List;

/**
 * What a new view changed.
 *
 * @param members     the nodes now in the view, coordinator first
 * @param joined      nodes new in this view
 * @param left        nodes gone since the previous view
 * @param gracefully  those of {@code left} that announced they were leaving
 * @param merged      the view ends a partition (two or more sides came back together)
 * @param minority    this node is now on the side with fewer than half of the nodes the cluster last had
 * @param wasMinority it was before this view
 */
public record ViewChange(List<Member> members, List<Member> joined, List<Member> left, List<Member> gracefully,
                         boolean merged, boolean minority, boolean wasMinority) {
}
