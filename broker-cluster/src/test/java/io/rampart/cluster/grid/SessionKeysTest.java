package io.rampart.cluster.grid;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SessionKeysTest {

    @Test
    void everyKeyOfAClient_isInTheClientsGroup() {
        SessionKeys grouper = new SessionKeys();
        for (String key : new String[]{SessionKeys.home("a/b:c"), SessionKeys.record("a/b:c"),
                SessionKeys.cursor("a/b:c"), SessionKeys.message("a/b:c", 42)}) {
            assertThat(grouper.computeGroup(key, null)).isEqualTo("a/b:c");
            assertThat(SessionKeys.clientId(key)).isEqualTo("a/b:c");
        }
        assertThat(SessionKeys.isHome(SessionKeys.home("x"))).isTrue();
        assertThat(SessionKeys.isHome(SessionKeys.record("x"))).isFalse();
        assertThat(grouper.computeGroup("unrelated", "g")).isEqualTo("g");
    }
}
