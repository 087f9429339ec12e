package io.rampart.cluster.membership;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jgroups.Address;
import org.jgroups.MergeView;
import org.jgroups.View;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The nodes of the cluster as this node sees them, and whether this node is in the minority.
 *
 * <p>The quorum counts the nodes the cluster last had as a whole: it starts at the number of configured static members
 * (1 with DNS discovery), grows with every node that joins and shrinks only by nodes that announce they leave on
 * purpose. A node that vanished without saying so still counts, because from inside a partition a dead node and an
 * unreachable one look the same. A view with fewer than half of those nodes is a minority.
 */
public final class Membership {

    private static final Logger LOG = LogManager.getLogger("rampart.cluster");

    private final List<Consumer<ViewChange>> listeners = new CopyOnWriteArrayList<>();
    private static final int MAX_NAMES = 10_000;

    private final Set<Address> leaving = ConcurrentHashMap.newKeySet();
    /** The names of the members seen so far, by id, for log lines about nodes that are gone. */
    private final ConcurrentHashMap<String, String> names = new ConcurrentHashMap<>();
    private volatile List<Member> members = List.of();
    private volatile Set<String> liveIds = Set.of();
    private volatile Member local;
    private volatile boolean minority;
    private int expected;

    /** @param expected the number of nodes the cluster is expected to have at start (static members) */
    public Membership(int expected) {
        this.expected = Math.max(1, expected);
    }

    public void listen(Consumer<ViewChange> listener) {
        listeners.add(listener);
    }

    /** A node announced that it leaves on purpose. */
    public void leaving(Address node) {
        leaving.add(node);
    }

    /** Called with each view JGroups installs, in order. */
    public synchronized void viewAccepted(View view, Address localAddress) {
        List<Member> old = members;
        List<Member> now = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Address a : view.getMembers()) {
            Member m = Member.of(a);
            now.add(m);
            ids.add(m.id());
            if (!m.name().equals(m.id()) && (names.size() < MAX_NAMES || names.containsKey(m.id()))) {
                names.put(m.id(), m.name());
            }
            if (a.equals(localAddress)) {
                local = m;
            }
        }
        List<Member> joined = new ArrayList<>();
        for (Member m : now) {
            if (!old.contains(m)) {
                joined.add(m);
            }
        }
        List<Member> left = new ArrayList<>();
        List<Member> gracefully = new ArrayList<>();
        for (Member m : old) {
            if (!now.contains(m)) {
                left.add(m);
                if (leaving.remove(m.address())) {
                    gracefully.add(m);
                }
            }
        }
        boolean was = minority;
        expected = Math.max(1, expected - gracefully.size());
        boolean isMinority = now.size() * 2 < expected;
        if (!isMinority) {
            expected = Math.max(expected, now.size());
        }
        members = List.copyOf(now);
        liveIds = Set.copyOf(ids);
        minority = isMinority;
        ViewChange change = new ViewChange(members, joined, left, gracefully, view instanceof MergeView, isMinority,
                was);
        for (Consumer<ViewChange> l : listeners) {
            try {
                l.accept(change);
            } catch (RuntimeException e) {
                LOG.error("cluster: handling the view {} failed: {}", view, e.toString(), e);
            }
        }
    }

    public List<Member> members() {
        return members;
    }

    /** This node, once it has joined. */
    public Member local() {
        return local;
    }

    public boolean isMinority() {
        return minority;
    }

    /** The number of nodes the quorum counts (see the class comment). */
    public synchronized int expected() {
        return expected;
    }

    /** The name of the node with this id, as last seen ({@code id} itself when never seen). */
    public String nameOf(String nodeId) {
        return names.getOrDefault(nodeId, nodeId);
    }

    /** Whether the node with this id (its incarnation) is in the current view. */
    public boolean isAlive(String nodeId) {
        return liveIds.contains(nodeId);
    }

    /** The member with this id, or {@code null} when it is not in the view. */
    public Member byId(String nodeId) {
        for (Member m : members) {
            if (m.id().equals(nodeId)) {
                return m;
            }
        }
        return null;
    }

    /** The member at this address, or {@code null}. */
    public Member byAddress(Address address) {
        for (Member m : members) {
            if (m.address().equals(address)) {
                return m;
            }
        }
        return null;
    }
}
