package io.rampart.admin.ban;

import io.rampart.admin.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BanListTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));

    private BanList bans() throws Exception {
        return new BanList(dir.resolve("admin/bans.json"), clock).load();
    }

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void emptyList_matchesNothing() throws Exception {
        assertThat(bans().match("a", "b", ip("10.0.0.1"))).isNull();
    }

    @Test
    void bansMatchClientIdUserNameAndNetwork() throws Exception {
        BanList bans = bans();
        Ban byId = bans.add(Ban.Kind.CLIENT_ID, "dev-1", "spam", null, "root");
        Ban byUser = bans.add(Ban.Kind.USERNAME, "mallory", null, null, "root");
        Ban byNet = bans.add(Ban.Kind.ADDRESS, "10.9.0.0/16", null, null, "root");
        assertThat(bans.match("dev-1", null, null)).isEqualTo(byId);
        assertThat(bans.match("dev-2", "mallory", ip("127.0.0.1"))).isEqualTo(byUser);
        assertThat(bans.match("dev-2", "bob", ip("10.9.4.4"))).isEqualTo(byNet);
        assertThat(bans.match("dev-2", "bob", ip("10.8.4.4"))).isNull();
        assertThat(bans.match("DEV-1", null, null)).as("client ids are exact").isNull();
    }

    @Test
    void expiredBans_stopMatching_andLeaveTheListAtTheNextWrite() throws Exception {
        BanList bans = bans();
        bans.add(Ban.Kind.CLIENT_ID, "dev-1", null, clock.instant().plus(Duration.ofHours(1)), "root");
        assertThat(bans.match("dev-1", null, null)).isNotNull();
        clock.advance(Duration.ofHours(1));
        assertThat(bans.match("dev-1", null, null)).isNull();
        assertThat(bans.list()).isEmpty();
        bans.add(Ban.Kind.CLIENT_ID, "dev-2", null, null, "root");
        assertThat(Files.readString(dir.resolve("admin/bans.json"))).doesNotContain("dev-1").contains("dev-2");
    }

    @Test
    void bansSurviveARestart_inAnOwnerOnlyFile() throws Exception {
        Ban ban = bans().add(Ban.Kind.ADDRESS, "2001:db8::1", "probe", null, "sam");
        BanList again = bans();
        assertThat(again.list()).containsExactly(ban);
        assertThat(again.match("x", null, ip("2001:db8::1"))).isEqualTo(ban);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("admin/bans.json"))))
                .isEqualTo("rw-------");
        assertThat(again.remove(ban.id())).isEqualTo(ban);
        assertThat(again.remove(ban.id())).isNull();
        assertThat(bans().list()).isEmpty();
    }

    @Test
    void invalidValues_areRefused() throws Exception {
        BanList bans = bans();
        assertThatThrownBy(() -> bans.add(Ban.Kind.ADDRESS, "example.com", null, null, "r"))
                .hasMessageContaining("is not an IP address");
        assertThatThrownBy(() -> bans.add(Ban.Kind.CLIENT_ID, "a\0b", null, null, "r")).hasMessageContaining("NUL");
    }
}
