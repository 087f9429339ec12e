package io.rampart.bench.load;

import io.netty.bootstrap.Bootstrap;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;

/**
 * The idle scenario: opens {@code clients} connections (64 handshakes at a time), prints
 * {@value #ALL_CONNECTED} on stderr once all are connected, holds them for the measured duration (a script can
 * read the broker's memory meanwhile) and disconnects. Reports connections per second of the set-up phase.
 */
public final class IdleRun {

    /** Printed on stderr when every connection is up. */
    public static final String ALL_CONNECTED = "idle: all connected";
    private static final int BATCH = 64;

    private final LoadSettings settings;
    private final RunErrors errors = new RunErrors();

    public IdleRun(LoadSettings settings) {
        this.settings = settings;
    }

    public RunResult run() throws InterruptedException {
        String transportName;
        List<IdleHandler> handlers = new ArrayList<>();
        long started = System.nanoTime();
        long connectedAt = started;
        boolean all = true;
        try (Transport transport = new Transport(settings.threads(), settings.tls())) {
            transportName = transport.name();
            Bootstrap bootstrap = transport.bootstrap(settings.host(), settings.port(), settings.sourceAddress());
            for (int from = 0; from < settings.clients() && all; from += BATCH) {
                List<IdleHandler> batch = new ArrayList<>();
                for (int i = from; i < Math.min(settings.clients(), from + BATCH); i++) {
                    IdleHandler h = new IdleHandler(settings.clientIdPrefix() + "idle" + i, settings.mqttVersion(),
                            settings.login(), errors, settings.keepSessions());
                    batch.add(h);
                    ClientPipeline.connect(bootstrap, h, 4096, errors);
                }
                handlers.addAll(batch);
                try {
                    CompletableFuture.allOf(batch.stream().map(MqttClientHandler::ready)
                            .toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    System.err.println("error: could not connect all " + settings.clients() + " clients: " + e.getMessage());
                    all = false;
                }
            }
            connectedAt = System.nanoTime();
            if (all) {
                System.err.println(ALL_CONNECTED);
                System.err.flush();
                ThroughputRun.sleepUntil(System.nanoTime() + TimeUnit.SECONDS.toNanos(settings.durationSeconds()));
            }
            for (IdleHandler h : handlers) {
                if (h.channel != null && h.channel.isActive()) {
                    h.disconnect();
                }
            }
        }
        long connected = handlers.stream().filter(h -> h.ready().isDone() && !h.ready().isCompletedExceptionally()).count();
        double setupSeconds = Math.max(1e-9, (connectedAt - started) / 1e9);
        return new RunResult(settings, transportName, settings.durationSeconds(), 0, connected / setupSeconds, 0,
                connected, 0, new Histogram(3), errors.total(), errors.summary());
    }
}
