package io.rampart.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs the pairs, fan-in and fan-out scenarios: connect, subscribe, warm up, measure, drain, disconnect. */
public final class ThroughputRun {

    private static final int CONNECT_BATCH = 200;
    private static final long SETUP_TIMEOUT_SECONDS = 30;
    private static final long DRAIN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long DRAIN_QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final LoadSettings settings;
    private final RunErrors errors = new RunErrors();
    private final MeasurementWindow window = new MeasurementWindow();
    private final LatencyRecorders recorders = new LatencyRecorders();
    private final List<SubscriberHandler> subscribers = new ArrayList<>();
    private final List<PublisherHandler> publishers = new ArrayList<>();
    private final List<FlowGroup> groups = new ArrayList<>();
    private final List<List<PublisherHandler>> groupMembers = new ArrayList<>();

    public ThroughputRun(LoadSettings settings) {
        if (settings.scenario() == Scenario.CONNECT) {
            throw new IllegalArgumentException("use ConnectRun for the connect scenario");
        }
        this.settings = settings;
    }

    public RunResult run() throws InterruptedException {
        String transportName;
        try (Transport transport = new Transport(settings.threads(), settings.tls())) {
            transportName = transport.name();
            Bootstrap bootstrap = transport.bootstrap(settings.host(), settings.port(), settings.sourceAddress());
            Bootstrap subscriberBootstrap = settings.subscriberPort() == settings.port() ? bootstrap
                    : transport.bootstrap(settings.host(), settings.subscriberPort(), settings.sourceAddress());
            plan();
            if (connectAll(subscriberBootstrap, subscribers) && connectAll(bootstrap, publishers)) {
                load();
            }
            disconnectAll();
        }
        return result(transportName);
    }

    /** Creates the handlers and flow groups of the scenario; nothing is connected yet. */
    private void plan() {
        int n = settings.clients();
        String base = "bench/" + settings.runId();
        switch (settings.scenario()) {
            case PAIRS -> {
                for (int i = 0; i < n; i++) {
                    int group = group(1, 1);
                    String topic = base + "/pair/" + i;
                    subscribers.add(subscriber("sub-" + i, topic, group));
                    publisher("pub-" + i, topic, group);
                }
            }
            case FAN_IN -> {
                int group = group(1, n);
                subscribers.add(subscriber("sub-0", base + "/in/+", group));
                for (int i = 0; i < n; i++) {
                    publisher("pub-" + i, base + "/in/" + i, group);
                }
            }
            case FAN_OUT -> {
                int group = group(n, 1);
                String topic = base + "/out";
                for (int i = 0; i < n; i++) {
                    subscribers.add(subscriber("sub-" + i, topic, group));
                }
                publisher("pub-0", topic, group);
            }
            default -> throw new IllegalStateException(settings.scenario().toString());
        }
    }

    private int group(int fanout, int publisherCount) {
        groups.add(new FlowGroup(fanout, publisherCount, settings.qos0Window()));
        groupMembers.add(new ArrayList<>());
        return groups.size() - 1;
    }

    private SubscriberHandler subscriber(String name, String filter, int group) {
        return new SubscriberHandler(clientId(name), settings.mqttVersion(), settings.login(), errors, filter, settings.qos(),
                groups.get(group), window, recorders);
    }

    private void publisher(String name, String topic, int group) {
        ByteBuf payload = PooledByteBufAllocator.DEFAULT.directBuffer(settings.payloadBytes());
        for (int i = 0; i < settings.payloadBytes(); i++) {
            payload.writeByte('a' + i % 26);
        }
        PublisherHandler p = new PublisherHandler(clientId(name), settings.mqttVersion(), settings.login(), errors, topic,
                settings.qos(), settings.inflight(), groups.get(group), window, payload);
        publishers.add(p);
        groupMembers.get(group).add(p);
    }

    private String clientId(String name) {
        return settings.clientIdPrefix() + name;
    }

    private boolean connectAll(Bootstrap bootstrap, List<? extends MqttClientHandler> handlers)
            throws InterruptedException {
        int maxPacket = settings.payloadBytes() + 1024;
        for (int from = 0; from < handlers.size(); from += CONNECT_BATCH) {
            List<? extends MqttClientHandler> batch =
                    handlers.subList(from, Math.min(handlers.size(), from + CONNECT_BATCH));
            batch.forEach(h -> ClientPipeline.connect(bootstrap, h, maxPacket, errors));
            try {
                CompletableFuture.allOf(batch.stream().map(MqttClientHandler::ready)
                        .toArray(CompletableFuture[]::new)).get(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                System.err.println("error: could not set up all " + handlers.size() + " connections: " + e.getMessage());
                return false;
            }
        }
        return true;
    }

    private void load() throws InterruptedException {
        for (int i = 0; i < groups.size(); i++) {
            List<PublisherHandler> members = groupMembers.get(i);
            groups.get(i).attach(members, members.get(0).channel.eventLoop());
        }
        window.open(System.nanoTime(), TimeUnit.SECONDS.toNanos(settings.warmupSeconds()),
                TimeUnit.SECONDS.toNanos(settings.durationSeconds()));
        publishers.forEach(PublisherHandler::start);
        sleepUntil(window.endNanos());
        publishers.forEach(PublisherHandler::stop);
        drain();
        groups.forEach(FlowGroup::detach);
    }

    /** Waits until every expected delivery arrived, nothing arrived for a while, or the timeout. */
    private void drain() throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT_NANOS;
        long last = -1;
        long lastChange = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long undelivered = groups.stream().mapToLong(FlowGroup::undelivered).sum();
            if (undelivered == 0) {
                return;
            }
            if (undelivered != last) {
                last = undelivered;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > DRAIN_QUIET_NANOS) {
                return;
            }
            Thread.sleep(20);
        }
    }

    private void disconnectAll() {
        List<CompletableFuture<Void>> closed = new ArrayList<>();
        List<MqttClientHandler> all = new ArrayList<>(publishers);
        all.addAll(subscribers);
        for (MqttClientHandler h : all) {
            if (h.ready().isDone() && !h.ready().isCompletedExceptionally() && h.channel.isOpen()) {
                CompletableFuture<Void> done = new CompletableFuture<>();
                h.disconnect().addListener(f -> done.complete(null));
                closed.add(done);
            }
        }
        try {
            CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            System.err.println("warning: not every connection closed within 5 s");
        }
    }

    /** Reads the handlers' counters; only valid after the event loops terminated. */
    private RunResult result(String transportName) {
        double seconds = settings.durationSeconds();
        long publishedMeasured = publishers.stream().mapToLong(PublisherHandler::sentMeasured).sum();
        long publishedTotal = publishers.stream().mapToLong(PublisherHandler::sentTotal).sum();
        long deliveredMeasured = subscribers.stream().mapToLong(SubscriberHandler::receivedMeasured).sum();
        long deliveredTotal = subscribers.stream().mapToLong(SubscriberHandler::receivedTotal).sum();
        long undelivered = groups.stream().mapToLong(FlowGroup::undelivered).sum();
        if (settings.qos() == MqttQoS.AT_LEAST_ONCE && undelivered > 0) {
            System.err.println("warning: " + undelivered + " QoS 1 deliveries never arrived");
        }
        return new RunResult(settings, transportName, seconds, publishedMeasured / seconds,
                deliveredMeasured / seconds, publishedTotal, deliveredTotal, undelivered, recorders.merged(),
                errors.total(), errors.summary());
    }

    static void sleepUntil(long nanoTime) throws InterruptedException {
        long remaining;
        while ((remaining = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(200)));
        }
    }
}
