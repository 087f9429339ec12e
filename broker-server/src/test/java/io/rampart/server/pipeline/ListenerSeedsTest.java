package io.rampart.server.pipeline;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ListenerSeedsTest {

    @Test
    void committedSeeds_areWhatTheGeneratorWrites() throws IOException {
        assertCommitted(ListenerSeeds.TCP_DIR, ListenerSeeds.tcp());
        assertCommitted(ListenerSeeds.WS_DIR, ListenerSeeds.webSocket());
    }

    private static void assertCommitted(String dir, Map<String, byte[]> seeds) throws IOException {
        for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
            String resource = "/" + dir + "/" + seed.getKey();
            try (InputStream in = ListenerSeedsTest.class.getResourceAsStream(resource)) {
                assertThat(in).as("%s is committed (regenerate with ListenerSeeds.main)", resource).isNotNull();
                assertThat(in.readAllBytes()).as("%s is what ListenerSeeds writes (regenerate with ListenerSeeds.main)",
                        resource).isEqualTo(seed.getValue());
            }
        }
    }
}
