package io.rampart.bench.jmh;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.appender.RollingFileAppender;
import org.apache.logging.log4j.core.appender.rolling.SizeBasedTriggeringPolicy;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.message.SimpleMessage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Event-log lines per second through a rolling file appender set up like the {@code events} appender of the
 * shipped {@code log4j2.xml} ({@code %m%n}, 100 MB rolls; rolled files are not compressed here, so gzip does
 * not compete for the CPU at these rates), in three modes:
 * {@code buffered} (8 KB blocks, nothing written until a block is full: the appender as shipped before the
 * broker flushed it), {@code per-line} ({@code immediateFlush}, one {@code write()} per line, like the access
 * log) and {@code buffered-flush-1s} (the shipped appender plus a flush every second from another thread, as
 * the broker's {@code EventLogFlush} does). Lines are a typical {@code client-connected} event.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EventLogBenchmark {

    private static final String LINE = "2026-11-26T05:44:15.043Z event=client-connected client=\"sensor-1\""
            + " address=10.0.0.7:44382 listener=tcp protocol=MQTT-5.0 protocol-version=5 user=\"alice\""
            + " clean-start=true session-expiry=30 keep-alive=45 session-present=false tls-protocol=none"
            + " tls-cipher=none tls-subject=none";

    @Param({"buffered", "per-line", "buffered-flush-1s"})
    String mode;

    private Path dir;
    private RollingFileAppender appender;
    private ScheduledExecutorService flusher;

    @Setup
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("rampart-event-log");
        boolean perLine = mode.equals("per-line");
        appender = RollingFileAppender.newBuilder()
                .setName("events")
                .withFileName(dir.resolve("events.log").toString())
                .withFilePattern(dir.resolve("events-%i.log").toString())
                .withPolicy(SizeBasedTriggeringPolicy.createPolicy("100 MB"))
                .setBufferedIo(!perLine)
                .setImmediateFlush(perLine)
                .setLayout(PatternLayout.newBuilder().withPattern("%m%n").build())
                .build();
        appender.start();
        if (mode.equals("buffered-flush-1s")) {
            flusher = Executors.newSingleThreadScheduledExecutor();
            flusher.scheduleWithFixedDelay(() -> appender.getManager().flush(), 1, 1, TimeUnit.SECONDS);
        }
    }

    @Benchmark
    public void eventLine() {
        appender.append(Log4jLogEvent.newBuilder().setLoggerName("rampart.events").setLevel(Level.INFO)
                .setMessage(new SimpleMessage(LINE)).build());
    }

    @TearDown
    public void tearDown() throws IOException {
        if (flusher != null) {
            flusher.shutdownNow();
        }
        appender.stop();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
