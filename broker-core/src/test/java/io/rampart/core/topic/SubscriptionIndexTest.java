package io.rampart.core.topic;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SubscriptionIndexTest {

    private final SubscriptionIndex index = new SubscriptionIndex();

    static Subscription sub(String clientId, String filter) {
        return new Subscription(clientId, filter, null, 1, false, false, 0, 0);
    }

    static Subscription shared(String clientId, String group, String filter) {
        return new Subscription(clientId, filter, group, 1, false, false, 0, 0);
    }

    /** Records what a match visits. */
    static final class Collector implements SubscriptionVisitor {
        final List<Subscription> plain = new ArrayList<>();
        final List<SharedGroup> groups = new ArrayList<>();

        @Override
        public void visit(Subscription subscription) {
            plain.add(subscription);
        }

        @Override
        public void visitShared(SharedGroup group) {
            groups.add(group);
        }

        List<String> filters() {
            return plain.stream().map(s -> s.clientId() + ":" + s.filter()).sorted().toList();
        }
    }

    private Collector match(String topic) {
        Collector c = new Collector();
        index.match(topic, c);
        return c;
    }

    @Test
    void match_visitsExactAndWildcardSubscriptions() {
        index.subscribe(sub("c1", "sport/tennis/player1"));
        index.subscribe(sub("c2", "sport/+/player1"));
        index.subscribe(sub("c3", "sport/#"));
        index.subscribe(sub("c4", "#"));
        index.subscribe(sub("c5", "+/+/+"));
        index.subscribe(sub("c6", "sport/tennis"));
        index.subscribe(sub("c7", "sport/+"));
        index.subscribe(sub("c8", "sport/tennis/player1/#"));

        assertThat(match("sport/tennis/player1").filters()).containsExactly(
                "c1:sport/tennis/player1", "c2:sport/+/player1", "c3:sport/#", "c4:#", "c5:+/+/+",
                "c8:sport/tennis/player1/#");
        assertThat(match("sport").filters()).containsExactly("c3:sport/#", "c4:#");
        assertThat(match("other").filters()).containsExactly("c4:#");
    }

    @Test
    void match_visitsEachOverlappingSubscriptionOfOneClient() {
        index.subscribe(sub("c1", "a/b"));
        index.subscribe(sub("c1", "a/+"));
        index.subscribe(sub("c1", "a/#"));
        index.subscribe(sub("c1", "#"));

        assertThat(match("a/b").filters()).containsExactly("c1:#", "c1:a/#", "c1:a/+", "c1:a/b");
    }

    @Test
    void match_handlesEmptyLevels() {
        index.subscribe(sub("c1", "a//b"));
        index.subscribe(sub("c2", "a/+/b"));
        index.subscribe(sub("c3", "/+"));
        index.subscribe(sub("c4", "a/"));
        index.subscribe(sub("c5", "a/+"));
        index.subscribe(sub("c6", "+/#"));

        assertThat(match("a//b").filters()).containsExactly("c1:a//b", "c2:a/+/b", "c6:+/#");
        assertThat(match("/x").filters()).containsExactly("c3:/+", "c6:+/#");
        assertThat(match("a/").filters()).containsExactly("c4:a/", "c5:a/+", "c6:+/#");
        assertThat(match("a").filters()).containsExactly("c6:+/#");
    }

    @Test
    void match_dollarTopicsAreNotMatchedByLeadingWildcards() {
        index.subscribe(sub("c1", "#"));
        index.subscribe(sub("c2", "+/broker"));
        index.subscribe(sub("c3", "$SYS/#"));
        index.subscribe(sub("c4", "$SYS/+"));
        index.subscribe(sub("c5", "$SYS/broker"));
        index.subscribe(shared("c6", "g", "#"));

        Collector c = match("$SYS/broker");
        assertThat(c.filters()).containsExactly("c3:$SYS/#", "c4:$SYS/+", "c5:$SYS/broker");
        assertThat(c.groups).isEmpty();
        assertThat(match("$SYS").filters()).containsExactly("c3:$SYS/#");
        assertThat(match("a/broker").filters()).containsExactly("c1:#", "c2:+/broker");
    }

    @Test
    void subscribe_replacesSameClientAndFilter() {
        Subscription first = sub("c1", "a/b");
        Subscription second = new Subscription("c1", "a/b", null, 2, true, false, 0, 7);

        assertThat(index.subscribe(first)).isNull();
        assertThat(index.subscribe(second)).isSameAs(first);

        assertThat(index.subscriptionCount()).isEqualTo(1);
        assertThat(match("a/b").plain).containsExactly(second);
    }

    @Test
    void subscribe_sameClientSameFilterSharedAndPlain_areDistinct() {
        index.subscribe(sub("c1", "a/b"));
        index.subscribe(shared("c1", "g", "a/b"));
        index.subscribe(shared("c1", "h", "a/b"));

        assertThat(index.subscriptionCount()).isEqualTo(3);
        assertThat(index.sharedSubscriptionCount()).isEqualTo(2);
        Collector c = match("a/b");
        assertThat(c.plain).hasSize(1);
        assertThat(c.groups).extracting(SharedGroup::group).containsExactlyInAnyOrder("g", "h");
    }

    @Test
    void unsubscribe_removesAndReturnsTheSubscription() {
        Subscription s = sub("c1", "a/+/c");
        index.subscribe(s);
        index.subscribe(sub("c2", "a/+/c"));

        assertThat(index.unsubscribe("c1", null, "a/+/c")).isSameAs(s);
        assertThat(index.unsubscribe("c1", null, "a/+/c")).isNull();
        assertThat(index.unsubscribe("c1", null, "x/y")).isNull();
        assertThat(index.unsubscribe("c1", "g", "a/+/c")).isNull();
        assertThat(index.subscriptionCount()).isEqualTo(1);
        assertThat(match("a/b/c").filters()).containsExactly("c2:a/+/c");
    }

    @Test
    void unsubscribe_lastSubscription_prunesNodesAndIndexStillWorks() {
        index.subscribe(sub("c1", "a/b/c/d"));
        index.subscribe(sub("c2", "a/b"));
        index.unsubscribe("c1", null, "a/b/c/d");
        index.unsubscribe("c2", null, "a/b");

        assertThat(index.subscriptionCount()).isZero();
        assertThat(match("a/b/c/d").plain).isEmpty();
        index.subscribe(sub("c3", "a/b/c/d"));
        assertThat(match("a/b/c/d").filters()).containsExactly("c3:a/b/c/d");
    }

    @Test
    void sharedGroup_isVisitedOncePerMatchingGroup() {
        index.subscribe(shared("c1", "g", "a/+"));
        index.subscribe(shared("c2", "g", "a/+"));
        index.subscribe(shared("c3", "g", "a/#"));
        index.subscribe(shared("c4", "h", "a/+"));

        Collector c = match("a/b");
        assertThat(c.plain).isEmpty();
        assertThat(c.groups).extracting(g -> g.group() + ":" + g.filter() + ":" + g.size())
                .containsExactlyInAnyOrder("g:a/+:2", "g:a/#:1", "h:a/+:1");
        assertThat(index.subscriptionCount()).isEqualTo(4);
        assertThat(index.sharedSubscriptionCount()).isEqualTo(4);
    }

    @Test
    void sharedGroup_clientIsMemberOncePerFilter_andRemovedGroupDisappears() {
        Subscription first = shared("c1", "g", "a");
        assertThat(index.subscribe(first)).isNull();
        assertThat(index.subscribe(shared("c1", "g", "a"))).isSameAs(first);
        assertThat(match("a").groups.get(0).members()).hasSize(1);
        assertThat(index.sharedSubscriptionCount()).isEqualTo(1);

        assertThat(index.unsubscribe("c1", "g", "a")).isNotNull();
        assertThat(match("a").groups).isEmpty();
        assertThat(index.sharedSubscriptionCount()).isZero();
    }

    @Test
    void sharedGroup_nextIsRoundRobin() {
        index.subscribe(shared("c1", "g", "a"));
        index.subscribe(shared("c2", "g", "a"));
        index.subscribe(shared("c3", "g", "a"));
        SharedGroup group = match("a").groups.get(0);

        List<String> picked = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            picked.add(group.next(s -> true).clientId());
        }
        assertThat(picked).containsExactly("c1", "c2", "c3", "c1", "c2", "c3");
    }

    @Test
    void sharedGroup_nextSkipsIneligibleMembers() {
        index.subscribe(shared("c1", "g", "a"));
        index.subscribe(shared("c2", "g", "a"));
        index.subscribe(shared("c3", "g", "a"));
        SharedGroup group = match("a").groups.get(0);

        List<String> picked = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            picked.add(group.next(s -> !s.clientId().equals("c2")).clientId());
        }
        assertThat(picked).containsExactly("c1", "c3", "c1", "c3");
        assertThat(group.next(s -> false)).isNull();
    }

    @Test
    void sharedGroup_membersIsASnapshot() {
        index.subscribe(shared("c1", "g", "a"));
        SharedGroup group = match("a").groups.get(0);
        List<Subscription> before = group.members();
        index.subscribe(shared("c2", "g", "a"));

        assertThat(before).hasSize(1);
        assertThat(group.members()).extracting(Subscription::clientId).containsExactly("c1", "c2");
        assertThat(group.size()).isEqualTo(2);
    }

    @Test
    void sharedGroup_lookupByGroupAndFilter() {
        index.subscribe(shared("c1", "g", "a/+"));

        assertThat(index.sharedGroup("g", "a/+")).isNotNull().extracting(SharedGroup::size).isEqualTo(1);
        assertThat(index.sharedGroup("h", "a/+")).isNull();
        assertThat(index.sharedGroup("g", "a/b")).isNull();
        index.unsubscribe("c1", "g", "a/+");
        assertThat(index.sharedGroup("g", "a/+")).isNull();
    }

    @Test
    void subscribe_rejectsStructurallyInvalidFilters() {
        assertThatThrownBy(() -> index.subscribe(sub("c1", "a/#/b"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.subscribe(sub("c1", "a+"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.subscribe(sub("c1", ""))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.subscribe(shared("c1", "g/x", "a")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(index.subscriptionCount()).isZero();
    }

    @Test
    void counts_trackSubscribeAndUnsubscribe() {
        for (int i = 0; i < 100; i++) {
            index.subscribe(sub("c" + i, "devices/" + i + "/+"));
            index.subscribe(shared("c" + i, "g", "jobs/#"));
        }
        assertThat(index.subscriptionCount()).isEqualTo(200);
        assertThat(index.sharedSubscriptionCount()).isEqualTo(100);
        for (int i = 0; i < 100; i++) {
            index.unsubscribe("c" + i, null, "devices/" + i + "/+");
        }
        assertThat(index.subscriptionCount()).isEqualTo(100);
        assertThat(index.sharedSubscriptionCount()).isEqualTo(100);
    }

    @Test
    void match_agreesWithTopicsMatches() {
        String[] filters = {"#", "+", "a/#", "a/+", "+/b", "a/b", "a//b", "/#", "+/+/+", "a/b/#", "$SYS/#", "+/#",
                "a/+/b", "/", "a/"};
        String[] topics = {"a", "a/b", "a//b", "/", "/a", "a/", "a/b/c", "$SYS/x", "$SYS", "b/b", "x/y/z", "a/x/b"};
        for (int i = 0; i < filters.length; i++) {
            index.subscribe(sub("c" + i, filters[i]));
        }
        for (String topic : topics) {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < filters.length; i++) {
                if (Topics.matches(filters[i], topic)) {
                    expected.add("c" + i + ":" + filters[i]);
                }
            }
            assertThat(match(topic).filters()).as(topic).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void topFilters_ranksFiltersBySubscribers_sharedMembersIncluded_andKeepsOnlyTheLimit() {
        for (int i = 0; i < 5; i++) {
            index.subscribe(sub("c" + i, "plant/+/temp"));
        }
        for (int i = 0; i < 3; i++) {
            index.subscribe(sub("c" + i, "#"));
        }
        index.subscribe(shared("w1", "workers", "jobs/#"));
        index.subscribe(shared("w2", "workers", "jobs/#"));
        index.subscribe(sub("w3", "jobs/#"));
        index.subscribe(sub("c9", "/leading/slash"));
        for (int i = 0; i < 50; i++) {
            index.subscribe(sub("x", "cold/" + i));
        }

        List<FilterCount> top = index.topFilters(3);
        assertThat(top).containsExactly(new FilterCount("plant/+/temp", 5, 0), new FilterCount("#", 3, 0),
                new FilterCount("jobs/#", 1, 2));
        assertThat(index.topFilters(100)).hasSize(54).contains(new FilterCount("/leading/slash", 1, 0));
        assertThat(index.topFilters(0)).isEmpty();
    }
}
