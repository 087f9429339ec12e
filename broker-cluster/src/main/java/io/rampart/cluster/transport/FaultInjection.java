package io.rampart.cluster.transport;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jgroups.protocols.DISCARD;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Cuts a node off the cluster on demand, for testing partitions on one machine: only when the JVM is started with
 * {@code -Drampart.cluster.fault-injection=FILE}. While {@code FILE} contains {@code isolate}, JGroups' DISCARD drops
 * every message to and from other nodes; otherwise nothing is dropped. Never present without the property.
 */
public final class FaultInjection implements AutoCloseable {

    public static final String PROPERTY = "rampart.cluster.fault-injection";
    private static final Logger LOG = LogManager.getLogger("rampart.cluster");

    private final DISCARD discard = new DISCARD();
    private final Path control;
    private final ScheduledFuture<?> poll;

    private FaultInjection(Path control, ScheduledExecutorService timer) {
        this.control = control;
        discard.excludeItself(true);
        this.poll = timer.scheduleWithFixedDelay(this::check, 200, 200, TimeUnit.MILLISECONDS);
    }

    /** The fault injection the JVM was started with, or {@code null}. */
    public static FaultInjection fromSystemProperty(ScheduledExecutorService timer) {
        String file = System.getProperty(PROPERTY);
        if (file == null || file.isBlank()) {
            return null;
        }
        LOG.warn("cluster: fault injection is on (-D{}={}): this node drops all cluster traffic while the file says"
                + " 'isolate'. For tests only", PROPERTY, file);
        return new FaultInjection(Path.of(file), timer);
    }

    public DISCARD protocol() {
        return discard;
    }

    private void check() {
        boolean isolate;
        try {
            isolate = Files.exists(control)
                    && Files.readString(control, StandardCharsets.UTF_8).strip().equals("isolate");
        } catch (IOException e) {
            isolate = false;
        }
        if (isolate != discard.discardAll()) {
            discard.discardAll(isolate);
            LOG.warn("cluster: fault injection {} this node", isolate ? "isolates" : "no longer isolates");
        }
    }

    @Override
    public void close() {
        poll.cancel(false);
    }
}
