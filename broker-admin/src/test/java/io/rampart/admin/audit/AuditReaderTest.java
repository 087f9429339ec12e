package io.rampart.admin.audit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AuditReaderTest {

    @TempDir
    Path dir;

    private static AuditEvent event(int i, String actor, String action) {
        return new AuditEvent(Instant.parse("2030-01-01T00:00:00Z").plusSeconds(i), actor, "basic", null,
                "127.0.0.1", action, "client:a \"b\"\n", i % 2 == 0 ? "success" : "denied", 200 + i, "r" + i,
                "note " + i, i == 1 ? "{\"level\":\"INFO\"}" : null, null);
    }

    private Path write(boolean json, int n) throws Exception {
        List<String> lines = new ArrayList<>();
        String prev = AuditChain.GENESIS;
        for (int i = 0; i < n; i++) {
            AuditEvent e = event(i, i < 3 ? "root" : "vera", i < 2 ? "bans.create" : "clients.disconnect");
            String line = AuditChain.seal(json ? AuditLog.jsonBody(e, prev) : AuditLog.plainBody(e, prev), json);
            lines.add(line);
            prev = AuditChain.hashOf(line);
        }
        Path file = dir.resolve(json ? "audit.json.log" : "audit.log");
        Files.write(file, lines);
        assertThat(AuditVerifier.verify(file).intact()).isTrue();
        return file;
    }

    @Test
    void plainLines_readBack_withEscapesIntact() throws Exception {
        Path file = write(false, 4);
        AuditReader.Page page = AuditReader.read(file, new AuditReader.Query(null, null, null, null, null), 0, 10);
        assertThat(page.entries()).hasSize(4);
        Map<String, Object> first = page.entries().get(1);
        assertThat(first).containsEntry("actor", "root").containsEntry("action", "bans.create")
                .containsEntry("target", "client:a \"b\"\n").containsEntry("status", 201)
                .containsEntry("before", "{\"level\":\"INFO\"}").containsEntry("after", null)
                .containsEntry("line", 2L).containsEntry("token", null);
        assertThat(page.next()).isZero();
    }

    @Test
    void jsonLines_readBack() throws Exception {
        Path file = write(true, 3);
        AuditReader.Page page = AuditReader.read(file, new AuditReader.Query("root", "bans.", null, null, null), 0, 10);
        assertThat(page.entries()).extracting(e -> e.get("request")).containsExactly("r0", "r1");
    }

    @Test
    void filtersAndPaging() throws Exception {
        Path file = write(false, 6);
        AuditReader.Query vera = new AuditReader.Query("vera", null, null, null, null);
        AuditReader.Page first = AuditReader.read(file, vera, 0, 2);
        assertThat(first.entries()).extracting(e -> e.get("line")).containsExactly(4L, 5L);
        assertThat(first.next()).isEqualTo(5);
        AuditReader.Page second = AuditReader.read(file, vera, first.next(), 2);
        assertThat(second.entries()).extracting(e -> e.get("line")).containsExactly(6L);
        assertThat(second.next()).isZero();

        AuditReader.Query window = new AuditReader.Query(null, "clients.disconnect", null,
                Instant.parse("2030-01-01T00:00:03Z"), Instant.parse("2030-01-01T00:00:05Z"));
        assertThat(AuditReader.read(file, window, 0, 10).entries()).extracting(e -> e.get("line")).containsExactly(4L, 5L);
    }

    @Test
    void newestFirst_pagesBackwards_throughTheMatchingLines() throws Exception {
        Path file = write(false, 6);
        AuditReader.Query all = new AuditReader.Query(null, null, null, null, null);
        AuditReader.Page first = AuditReader.readNewest(file, all, 0, 4);
        assertThat(first.entries()).extracting(e -> e.get("line")).containsExactly(6L, 5L, 4L, 3L);
        assertThat(first.next()).isEqualTo(3);
        AuditReader.Page second = AuditReader.readNewest(file, all, first.next(), 4);
        assertThat(second.entries()).extracting(e -> e.get("line")).containsExactly(2L, 1L);
        assertThat(second.next()).isZero();

        AuditReader.Query vera = new AuditReader.Query("vera", null, null, null, null);
        AuditReader.Page exact = AuditReader.readNewest(file, vera, 0, 3);
        assertThat(exact.entries()).extracting(e -> e.get("line")).containsExactly(6L, 5L, 4L);
        assertThat(exact.next()).as("nothing older matches").isZero();
        assertThat(AuditReader.readNewest(dir.resolve("missing.log"), all, 0, 3).entries()).isEmpty();
    }
}
