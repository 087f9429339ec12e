package io.rampart.cluster.membership;

import org.jgroups.Address;
import org.jgroups.MergeView;
import org.jgroups.View;
import org.jgroups.ViewId;
import org.jgroups.util.NameCache;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The quorum: the nodes the cluster last had, shrunk only by nodes that leave on purpose. */
class MembershipTest {

    private final Address a = node("a");
    private final Address b = node("b");
    private final Address c = node("c");
    private final List<ViewChange> changes = new ArrayList<>();
    private long viewId;

    private static Address node(String name) {
        UUID uuid = UUID.randomUUID();
        NameCache.add(uuid, name);
        return uuid;
    }

    private Membership membership(int expected) {
        Membership m = new Membership(expected);
        m.listen(changes::add);
        return m;
    }

    private View view(Address... members) {
        return View.create(members[0], ++viewId, members);
    }

    private ViewChange last() {
        return changes.get(changes.size() - 1);
    }

    @Test
    void aNodeAloneAmongThreeConfigured_isAMinority_untilASecondJoins() {
        Membership m = membership(3);
        m.viewAccepted(view(a), a);
        assertThat(m.isMinority()).isTrue();
        m.viewAccepted(view(a, b), a);
        assertThat(m.isMinority()).isFalse();
        assertThat(last().wasMinority()).isTrue();
        assertThat(last().joined()).extracting(Member::name).containsExactly("b");
        assertThat(m.local().name()).isEqualTo("a");
    }

    @Test
    void crashedNodes_stillCount_soTheLastSurvivorOfThreeIsAMinority() {
        Membership m = membership(3);
        m.viewAccepted(view(a, b, c), a);
        m.viewAccepted(view(a, b), a);
        assertThat(m.isMinority()).isFalse();
        assertThat(last().left()).extracting(Member::name).containsExactly("c");
        assertThat(last().gracefully()).isEmpty();
        m.viewAccepted(view(a), a);
        assertThat(m.isMinority()).isTrue();
        assertThat(m.expected()).isEqualTo(3);
    }

    @Test
    void nodesLeavingOnPurpose_shrinkTheQuorum() {
        Membership m = membership(3);
        m.viewAccepted(view(a, b, c), a);
        m.leaving(c);
        m.viewAccepted(view(a, b), a);
        assertThat(last().gracefully()).extracting(Member::name).containsExactly("c");
        assertThat(m.expected()).isEqualTo(2);
        m.viewAccepted(view(a), a);
        assertThat(m.isMinority()).as("one of two is half, not fewer").isFalse();
    }

    @Test
    void aMergedView_isReported_andEndsTheMinority() {
        Membership m = membership(3);
        m.viewAccepted(view(a, b, c), c);
        m.viewAccepted(view(c), c);
        assertThat(m.isMinority()).isTrue();
        List<View> subgroups = List.of(view(a, b), view(c));
        m.viewAccepted(new MergeView(new ViewId(a, ++viewId), List.of(a, b, c), subgroups), c);
        assertThat(last().merged()).isTrue();
        assertThat(m.isMinority()).isFalse();
        assertThat(m.isAlive(Member.of(a).id())).isTrue();
        assertThat(m.byAddress(b).name()).isEqualTo("b");
    }

    @Test
    void aMember_isItsIncarnation_notItsName() {
        UUID again = UUID.randomUUID();
        NameCache.add(again, "a");
        assertThat(Member.of(again)).isNotEqualTo(Member.of(a));
        assertThat(Member.of(a)).isEqualTo(new Member("other name", Member.of(a).id(), a));
    }
}
