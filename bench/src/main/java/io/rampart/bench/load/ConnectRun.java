package io.rampart.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The connect scenario: {@code clients} slots, each running CONNECT / CONNACK / DISCONNECT cycles back to
 * back on a fresh TCP connection until the measured window ends. The client closes right after writing
 * DISCONNECT (so TIME_WAIT lands on the client side; Linux reuses such ports on loopback). Latency is TCP
 * connect start to CONNACK.
 */
public final class ConnectRun {

    private static final long RETRY_DELAY_MILLIS = 10;
    private static final int MAX_PACKET = 4096;

    private final LoadSettings settings;
    private final RunErrors errors = new RunErrors();
    private final MeasurementWindow window = new MeasurementWindow();
    private final LatencyRecorders recorders = new LatencyRecorders();
    private final AtomicLong sequence = new AtomicLong();
    private final LongAdder completedMeasured = new LongAdder();
    private final LongAdder completedTotal = new LongAdder();
    private final CountDownLatch slotsStopped;
    private Bootstrap bootstrap;
    private volatile boolean running;

    public ConnectRun(LoadSettings settings) {
        if (settings.scenario() != Scenario.CONNECT) {
            throw new IllegalArgumentException("ConnectRun only runs the connect scenario");
        }
        this.settings = settings;
        this.slotsStopped = new CountDownLatch(settings.clients());
    }

    public RunResult run() throws InterruptedException {
        String transportName;
        try (Transport transport = new Transport(settings.threads(), settings.tls())) {
            transportName = transport.name();
            bootstrap = transport.bootstrap(settings.host(), settings.port(), settings.sourceAddress());
            window.open(System.nanoTime(), TimeUnit.SECONDS.toNanos(settings.warmupSeconds()),
                    TimeUnit.SECONDS.toNanos(settings.durationSeconds()));
            running = true;
            for (int i = 0; i < settings.clients(); i++) {
                nextCycle();
            }
            ThroughputRun.sleepUntil(window.endNanos());
            running = false;
            if (!slotsStopped.await(15, TimeUnit.SECONDS)) {
                System.err.println("warning: some connection cycles did not finish within 15 s");
            }
        }
        double seconds = settings.durationSeconds();
        return new RunResult(settings, transportName, seconds, 0, completedMeasured.sum() / seconds, 0,
                completedTotal.sum(), 0, recorders.merged(), errors.total(), errors.summary());
    }

    private void nextCycle() {
        if (!running) {
            slotsStopped.countDown();
            return;
        }
        String clientId = settings.clientIdPrefix() + "c" + sequence.incrementAndGet();
        ConnectCycleHandler handler =
                new ConnectCycleHandler(clientId, settings.mqttVersion(), settings.login(), errors, this, System.nanoTime());
        ClientPipeline.connect(bootstrap, handler, MAX_PACKET, errors).addListener(f -> {
            if (!f.isSuccess()) {
                bootstrap.config().group().schedule(this::nextCycle, RETRY_DELAY_MILLIS, TimeUnit.MILLISECONDS);
            }
        });
    }

    /** Called on the connection's event loop once its channel closed. */
    void cycleDone(EventLoop loop, boolean connected, long startedAt, long connAckAt) {
        if (connected) {
            completedTotal.increment();
            if (window.contains(connAckAt)) {
                completedMeasured.increment();
                recorders.forExecutor(loop).recordValue(LatencyRecorders.clamp(connAckAt - startedAt));
            }
        }
        nextCycle();
    }
}
