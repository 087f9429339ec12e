package io.rampart.server.pipeline;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ListenerSeedsTest {

    /** With {@code -Dlistener.seeds.write=<test resources directory>} the seeds are written there instead. */
    @Test
    void committedSeeds_areWhatTheGeneratorWrites() throws IOException {
        String target = System.getProperty("listener.seeds.write");
        if (target != null) {
            ListenerSeeds.write(Path.of(target));
            return;
        }
        assertCommitted(ListenerSeeds.TCP_DIR, ListenerSeeds.tcp());
        assertCommitted(ListenerSeeds.WS_DIR, ListenerSeeds.webSocket());
    }

    private static void assertCommitted(String dir, Map<String, byte[]> seeds) throws IOException {
        for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
            String resource = "/" + dir + "/" + seed.getKey();
            try (InputStream in = ListenerSeedsTest.class.getResourceAsStream(resource)) {
                assertThat(in).as("%s is committed (see ListenerSeeds to write the seeds)", resource).isNotNull();
                assertThat(in.readAllBytes()).as("%s is what ListenerSeeds writes (see ListenerSeeds to write the seeds)",
                        resource).isEqualTo(seed.getValue());
            }
        }
    }
}
