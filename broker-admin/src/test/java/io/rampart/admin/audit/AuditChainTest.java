package io.rampart.admin.audit;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AuditChainTest {

    private static List<String> chain(int n, boolean json) {
        List<String> lines = new ArrayList<>();
        String prev = AuditChain.GENESIS;
        for (int i = 0; i < n; i++) {
            String body = json ? "{\"action\":\"a" + i + "\",\"prev\":\"" + prev + "\""
                    : "action=a" + i + " target=\"x y\" prev=" + prev;
            String line = AuditChain.seal(body, json);
            lines.add(line);
            prev = AuditChain.hashOf(line);
        }
        return lines;
    }

    @Test
    void intactChain_verifies_inBothFormats() {
        assertThat(AuditChain.verify(chain(5, false))).satisfies(v -> {
            assertThat(v.intact()).isTrue();
            assertThat(v.lines()).isEqualTo(5);
            assertThat(v.reason()).isEqualTo("starts a new chain");
        });
        assertThat(AuditChain.verify(chain(5, true)).intact()).isTrue();
    }

    @Test
    void modifiedLine_isNamed() {
        List<String> lines = chain(5, false);
        lines.set(2, lines.get(2).replace("a2", "a9"));
        AuditChain.Verdict v = AuditChain.verify(lines);
        assertThat(v.intact()).isFalse();
        assertThat(v.brokenLine()).isEqualTo(3);
        assertThat(v.reason()).isEqualTo("line 3 was modified: its hash does not match its content");
    }

    @Test
    void modifiedLastLine_isDetectedToo() {
        List<String> lines = chain(3, true);
        lines.set(2, lines.get(2).replace("a2", "a7"));
        assertThat(AuditChain.verify(lines).brokenLine()).isEqualTo(3);
    }

    @Test
    void deletedLine_breaksTheLinkOfTheNext() {
        List<String> lines = chain(5, false);
        lines.remove(1);
        AuditChain.Verdict v = AuditChain.verify(lines);
        assertThat(v.brokenLine()).isEqualTo(2);
        assertThat(v.reason()).contains("line 2 does not follow line 1");
    }

    @Test
    void reorderedLines_areDetected() {
        List<String> lines = chain(5, false);
        Collections.swap(lines, 2, 3);
        assertThat(AuditChain.verify(lines).brokenLine()).isEqualTo(3);
    }

    @Test
    void insertedForeignLine_isNotAChainedLine() {
        List<String> lines = chain(3, false);
        lines.add(1, "time=now actor=\"eve\" action=bans.delete");
        assertThat(AuditChain.verify(lines).reason()).startsWith("line 2 is not a chained audit line");
    }

    @Test
    void fileStartingInTheMiddleOfAChain_isIntact_andSaysSo() {
        List<String> lines = chain(5, false).subList(2, 5);
        AuditChain.Verdict v = AuditChain.verify(lines);
        assertThat(v.intact()).isTrue();
        assertThat(v.reason()).startsWith("continues a chain from an earlier file");
    }

    @Test
    void trailingEmptyLine_isIgnored() {
        List<String> lines = new ArrayList<>(chain(2, false));
        lines.add("");
        assertThat(AuditChain.verify(lines).intact()).isTrue();
    }
}
