package io.rampart.admin.ban;

import io.rampart.admin.MutableClock;
import io.rampart.admin.SharedGrid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class BanListSharingTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final SharedGrid grid = new SharedGrid();

    private BanList node(String name) throws Exception {
        return new BanList(dir.resolve(name).resolve("admin/bans.json"), clock).load();
    }

    @Test
    void banSetOnOneNode_isInForceOnTheOther_writtenToItsFile_andReported() throws Exception {
        BanList one = node("one");
        BanList two = node("two");
        List<Ban> heard = new CopyOnWriteArrayList<>();
        one.share(grid.node(), b -> { });
        two.share(grid.node(), heard::add);

        Ban ban = one.add(Ban.Kind.CLIENT_ID, "dev-1", "spam", null, "root");

        assertThat(two.match("dev-1", null, null)).isEqualTo(ban);
        assertThat(heard).containsExactly(ban);
        assertThat(node("two").match("dev-1", null, null)).as("node two's file").isEqualTo(ban);

        two.remove(ban.id());
        assertThat(one.match("dev-1", null, null)).isNull();
        assertThat(node("one").list()).isEmpty();
    }

    @Test
    void temporaryBan_endsOnEveryNodeAtItsExpiry() throws Exception {
        BanList one = node("one");
        BanList two = node("two");
        one.share(grid.node(), b -> { });
        two.share(grid.node(), b -> { });

        one.add(Ban.Kind.ADDRESS, "10.0.0.0/8", "scan", clock.instant().plus(Duration.ofMinutes(5)), "detections");
        assertThat(two.match(null, null, InetAddress.getByName("10.1.2.3"))).isNotNull();
        clock.advance(Duration.ofMinutes(5));
        assertThat(two.match(null, null, InetAddress.getByName("10.1.2.3"))).isNull();
        assertThat(one.match(null, null, InetAddress.getByName("10.1.2.3"))).isNull();
    }

    @Test
    void nodeJoiningACluster_takesTheClustersBans_andTheFirstNodeBringsItsOwn() throws Exception {
        BanList first = node("first");
        Ban own = first.add(Ban.Kind.USERNAME, "mallory", "abuse", null, "root");
        first.share(grid.node(), b -> { });
        assertThat(grid.entries()).containsOnlyKeys(own.id());

        BanList late = node("late");
        Ban lifted = late.add(Ban.Kind.USERNAME, "trudy", "old", null, "root");
        late.share(grid.node(), b -> { });
        assertThat(late.list()).containsExactly(own);
        assertThat(late.match(null, "trudy", null)).as("lifted while it was away: %s", lifted).isNull();
    }
}
