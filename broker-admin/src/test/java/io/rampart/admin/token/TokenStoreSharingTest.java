package io.rampart.admin.token;

import io.rampart.admin.MutableClock;
import io.rampart.admin.SharedGrid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TokenStoreSharingTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final SharedGrid grid = new SharedGrid();

    private TokenStore node(String name) throws Exception {
        return new TokenStore(dir.resolve(name).resolve("admin/tokens.json"), clock).load();
    }

    @Test
    void tokenCreatedOnOneNode_worksOnTheOther_untilRevokedThere() throws Exception {
        TokenStore one = node("one");
        TokenStore two = node("two");
        one.share(grid.node());
        two.share(grid.node());

        TokenStore.Issued issued = one.create(List.of("viewer"), Duration.ofDays(1), null, "ci", "root");
        assertThat(two.verify(issued.secret(), null)).isInstanceOf(TokenStore.Valid.class);

        assertThat(two.revoke(issued.token().id())).isTrue();
        assertThat(one.verify(issued.secret(), null)).isInstanceOf(TokenStore.Refused.class);
        assertThat(node("one").list()).isEmpty();
    }

    @Test
    void theGridHoldsTheSecretsHash_neverTheSecret() throws Exception {
        TokenStore one = node("one");
        one.share(grid.node());
        TokenStore.Issued issued = one.create(List.of("viewer"), Duration.ofDays(1), null, null, "root");
        String secret = issued.secret().substring(issued.secret().lastIndexOf('_') + 1);

        String shared = new String(grid.entries().get(issued.token().id()), StandardCharsets.UTF_8);
        assertThat(shared).contains(issued.token().secretHash()).doesNotContain(secret);
        assertThat(Files.readString(dir.resolve("one/admin/tokens.json"))).doesNotContain(secret);
    }

    @Test
    void fileEditedOnOneNode_goesToTheCluster_onReload() throws Exception {
        TokenStore one = node("one");
        TokenStore two = node("two");
        one.share(grid.node());
        two.share(grid.node());
        TokenStore.Issued issued = one.create(List.of("viewer"), Duration.ofDays(1), null, null, "root");

        // The token command revokes it in node one's file, as another process.
        assertThat(node("one").revoke(issued.token().id())).isTrue();
        assertThat(one.reloadIfChanged()).isTrue();
        assertThat(two.verify(issued.secret(), null)).isInstanceOf(TokenStore.Refused.class);
    }
}
