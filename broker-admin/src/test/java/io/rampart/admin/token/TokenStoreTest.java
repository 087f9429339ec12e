package io.rampart.admin.token;

import io.rampart.admin.MutableClock;
import io.rampart.admin.net.Cidr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TokenStoreTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));

    private TokenStore store() throws Exception {
        return new TokenStore(dir.resolve("admin/tokens.json"), clock).load();
    }

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void createdToken_verifies_andOnlyItsHashIsStored_inAnOwnerOnlyFile() throws Exception {
        TokenStore store = store();
        TokenStore.Issued issued = store.create(List.of("viewer"), Duration.ofDays(30), null, "grafana", "root");
        assertThat(issued.secret()).startsWith("rmp_" + issued.token().id() + "_");
        assertThat(store.verify(issued.secret(), ip("10.0.0.1"))).isInstanceOf(TokenStore.Valid.class);

        Path file = dir.resolve("admin/tokens.json");
        String content = Files.readString(file);
        String secretPart = issued.secret().substring(21);
        assertThat(content).contains(issued.token().id()).doesNotContain(secretPart).contains("grafana");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
    }

    @Test
    void wrongSecret_unknownId_andMalformedTokens_areRefused() throws Exception {
        TokenStore store = store();
        TokenStore.Issued issued = store.create(List.of("viewer"), Duration.ofDays(1), null, null, "root");
        String wrong = issued.secret().substring(0, issued.secret().length() - 2) + "AA";
        assertThat(store.verify(wrong, null)).isInstanceOfSatisfying(TokenStore.Refused.class,
                r -> assertThat(r.reason()).isEqualTo("wrong API token secret"));
        assertThat(store.verify("rmp_0000000000000000_" + "A".repeat(43), null))
                .isInstanceOfSatisfying(TokenStore.Refused.class, r -> assertThat(r.reason()).contains("unknown"));
        assertThat(store.verify("rmp_short", null)).isInstanceOf(TokenStore.Refused.class);
    }

    @Test
    void expiredToken_isRefused() throws Exception {
        TokenStore store = store();
        TokenStore.Issued issued = store.create(List.of("viewer"), Duration.ofHours(1), null, null, "root");
        clock.advance(Duration.ofMinutes(59));
        assertThat(store.verify(issued.secret(), null)).isInstanceOf(TokenStore.Valid.class);
        clock.advance(Duration.ofMinutes(1));
        assertThat(store.verify(issued.secret(), null)).isInstanceOfSatisfying(TokenStore.Refused.class,
                r -> assertThat(r.reason()).startsWith("API token expired"));
    }

    @Test
    void sourceNetwork_isEnforced() throws Exception {
        TokenStore store = store();
        TokenStore.Issued issued = store.create(List.of("viewer"), Duration.ofHours(1), Cidr.parse("10.1.0.0/16"), null,
                "root");
        assertThat(store.verify(issued.secret(), ip("10.1.2.3"))).isInstanceOf(TokenStore.Valid.class);
        assertThat(store.verify(issued.secret(), ip("10.2.0.1"))).isInstanceOfSatisfying(TokenStore.Refused.class,
                r -> assertThat(r.reason()).contains("outside its source network 10.1.0.0/16"));
        assertThat(store.verify(issued.secret(), null)).isInstanceOf(TokenStore.Refused.class);
    }

    @Test
    void revokedToken_stopsWorking_andAnotherStoreOnTheSameFilePicksChangesUp() throws Exception {
        TokenStore broker = store();
        TokenStore cli = store();
        TokenStore.Issued issued = cli.create(List.of("operator"), Duration.ofDays(1), null, null, "cli:ops");
        assertThat(broker.verify(issued.secret(), null)).isInstanceOf(TokenStore.Refused.class);
        assertThat(broker.reloadIfChanged()).isTrue();
        assertThat(broker.verify(issued.secret(), null)).isInstanceOf(TokenStore.Valid.class);

        assertThat(cli.revoke(issued.token().id())).isTrue();
        assertThat(cli.revoke(issued.token().id())).isFalse();
        broker.reloadIfChanged();
        assertThat(broker.verify(issued.secret(), null)).isInstanceOf(TokenStore.Refused.class);
    }

    @Test
    void lastUsed_isKeptInMemory_andWrittenOnFlush_withoutLosingTokensOthersAdded() throws Exception {
        TokenStore broker = store();
        TokenStore.Issued issued = broker.create(List.of("viewer"), Duration.ofDays(1), null, null, "root");
        clock.advance(Duration.ofMinutes(5));
        broker.verify(issued.secret(), null);
        assertThat(broker.get(issued.token().id()).lastUsedAt()).isEqualTo(Instant.parse("2030-01-01T00:05:00Z"));
        assertThat(store().get(issued.token().id()).lastUsedAt()).as("not written yet").isNull();

        TokenStore.Issued other = store().create(List.of("viewer"), Duration.ofDays(1), null, null, "cli:x");
        broker.flushLastUsed();
        TokenStore fresh = store();
        assertThat(fresh.get(issued.token().id()).lastUsedAt()).isEqualTo(Instant.parse("2030-01-01T00:05:00Z"));
        assertThat(fresh.get(other.token().id())).isNotNull();
    }

    @Test
    void brokenFile_refusesToLoad_naming() throws Exception {
        Files.createDirectories(dir.resolve("admin"));
        Files.writeString(dir.resolve("admin/tokens.json"), "{\"tokens\": [{\"id\": 1}]}");
        org.assertj.core.api.Assertions.assertThatThrownBy(this::store).hasMessageContaining("tokens[0]");
    }
}
