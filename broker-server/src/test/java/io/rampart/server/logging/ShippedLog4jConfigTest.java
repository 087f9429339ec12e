package io.rampart.server.logging;

import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.xml.XmlConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped {@code config/log4j2.xml} in a logger context of its own: it reloads itself (monitorInterval),
 * and the event, access and audit logs go to their own files, one self-contained line per event ({@code %m%n}).
 */
class ShippedLog4jConfigTest {

    @TempDir
    Path logs;

    @Test
    void shippedConfiguration_writesEventsToTheirOwnFile_andWatchesItself() throws Exception {
        Path projectRoot = Path.of(System.getProperty("rampart.project.root", ".."));
        Path xml = projectRoot.resolve("config/log4j2.xml");
        if (!Files.exists(xml)) {
            xml = Path.of("../config/log4j2.xml");
        }
        String previous = System.getProperty("rampart.log.dir");
        System.setProperty("rampart.log.dir", logs.toString());
        // A context of its own: Configurator.initialize would replace (and shutdown would stop) the context
        // every other test in this JVM logs through.
        LoggerContext context = new LoggerContext("shipped-config-test", null, xml.toUri());
        context.start(new XmlConfiguration(context, ConfigurationSource.fromUri(xml.toUri())));
        try {
            assertThat(context.getConfiguration().getWatchManager().getIntervalSeconds()).isEqualTo(30);
            Logger events = context.getLogger("rampart.events");
            events.info("2026-01-01T00:00:00Z event=client-connected client=\"x\"");
            context.getLogger("rampart.audit").info("time=2026-01-01T00:00:00Z action=bans.create prev=0 hash=1");
            context.getLogger("io.rampart.server.Test").info("application line");
            context.stop();
            assertThat(Files.readString(logs.resolve("events.log")))
                    .isEqualTo("2026-01-01T00:00:00Z event=client-connected client=\"x\"\n");
            assertThat(Files.readString(logs.resolve("rampart.log"))).contains("application line")
                    .doesNotContain("event=client-connected").doesNotContain("action=bans.create");
            assertThat(Files.readString(logs.resolve("audit.log")))
                    .isEqualTo("time=2026-01-01T00:00:00Z action=bans.create prev=0 hash=1\n");
        } finally {
            context.stop();
            if (previous == null) {
                System.clearProperty("rampart.log.dir");
            } else {
                System.setProperty("rampart.log.dir", previous);
            }
        }
    }
}
