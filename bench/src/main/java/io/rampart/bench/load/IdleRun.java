package io.rampart.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandlerContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;

/**
 * The idle scenario: opens N connections (CONNECT, CONNACK, then only keep-alive pings), holds them for the
 * measured seconds and closes them. With {@code --broker-pid} it reads the broker's resident memory
 * (VmRSS in /proc) before connecting and after the warm-up with every connection open, and reports the
 * difference per connection: what a fleet of quiet devices costs.
 */
public final class IdleRun {

    private static final int CONNECT_BATCH = 200;
    private static final int MAX_PACKET = 4096;

    private final LoadSettings settings;
    private final long brokerPid;
    private final RunErrors errors = new RunErrors();

    public IdleRun(LoadSettings settings, long brokerPid) {
        this.settings = settings;
        this.brokerPid = brokerPid;
    }

    public RunResult run() throws InterruptedException {
        long before = rssKib();
        List<IdleHandler> handlers = new ArrayList<>();
        String transportName;
        long rssOpen = -1;
        int open = 0;
        try (Transport transport = new Transport(settings.threads())) {
            transportName = transport.name();
            Bootstrap bootstrap = transport.bootstrap(settings.host(), settings.port());
            for (int from = 0; from < settings.clients(); from += CONNECT_BATCH) {
                List<IdleHandler> batch = new ArrayList<>();
                for (int i = from; i < Math.min(settings.clients(), from + CONNECT_BATCH); i++) {
                    IdleHandler h = new IdleHandler(settings.clientIdPrefix() + "idle" + i, settings, errors);
                    batch.add(h);
                    ClientPipeline.connect(bootstrap, h, MAX_PACKET, errors, settings.tls());
                }
                handlers.addAll(batch);
                try {
                    CompletableFuture.allOf(batch.stream().map(MqttClientHandler::ready)
                            .toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    System.err.println("error: could not open all " + settings.clients() + " connections: " + e);
                    break;
                }
            }
            open = (int) handlers.stream().filter(h -> h.ready().isDone() && !h.ready().isCompletedExceptionally()).count();
            Thread.sleep(TimeUnit.SECONDS.toMillis(settings.warmupSeconds()));
            rssOpen = rssKib();
            Thread.sleep(TimeUnit.SECONDS.toMillis(settings.durationSeconds()));
            List<CompletableFuture<?>> closed = new ArrayList<>();
            for (IdleHandler h : handlers) {
                if (h.ready().isDone() && !h.ready().isCompletedExceptionally()) {
                    closed.add(toFuture(h.disconnect()));
                }
            }
            try {
                CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                System.err.println("warning: not every connection closed within 30 s");
            }
        }
        if (before > 0 && rssOpen > 0 && open > 0) {
            double perConnection = (rssOpen - before) / (double) open;
            System.err.printf(Locale.ROOT, "idle: %d connections open; broker RSS %,d KiB before, %,d KiB with them "
                    + "open: %.1f KiB per connection%n", open, before, rssOpen, perConnection);
            System.out.printf(Locale.ROOT, "# rss_before_kib=%d rss_open_kib=%d open=%d kib_per_connection=%.1f%n",
                    before, rssOpen, open, perConnection);
        }
        return new RunResult(settings, transportName, settings.durationSeconds(), 0, 0, 0, open, 0,
                new Histogram(3), errors.total(), errors.summary());
    }

    private long rssKib() {
        if (brokerPid <= 0) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(brokerPid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            System.err.println("warning: cannot read the broker's memory: " + e.getMessage());
        }
        return -1;
    }

    private static CompletableFuture<Void> toFuture(io.netty.channel.ChannelFuture f) {
        CompletableFuture<Void> out = new CompletableFuture<>();
        f.addListener(done -> out.complete(null));
        return out;
    }

    /** Connects and then only answers to keep-alive. */
    private static final class IdleHandler extends MqttClientHandler {
        IdleHandler(String clientId, LoadSettings settings, RunErrors errors) {
            super(clientId, settings.mqttVersion(), settings.login(), errors);
        }

        @Override
        protected void onConnected(ChannelHandlerContext ctx, int receiveMaximum) {
            markReady();
        }
    }
}
