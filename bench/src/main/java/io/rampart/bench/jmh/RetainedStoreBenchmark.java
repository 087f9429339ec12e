package io.rampart.bench.jmh;

import io.rampart.core.message.Message;
import io.rampart.core.retain.RetainedStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Cost of {@link RetainedStore#match} for filters that select a handful of retained messages while the store
 * holds a growing number of unrelated ones. The trie should keep the time roughly flat across the params.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class RetainedStoreBenchmark {

    private static final byte[] PAYLOAD = {1, 2, 3, 4};
    private static final int LINES = 4;

    @Param({"1", "10000", "1000000"})
    int retained;

    private RetainedStore store;
    private Counter counter;

    @Setup(Level.Trial)
    public void setUp() {
        store = new RetainedStore();
        for (int i = 0; i < retained; i++) {
            store.put(message(unrelatedTopic(i)));
        }
        // The handful: plant/7/line/{0..3}/temp plus plant/7/status.
        for (int line = 0; line < LINES; line++) {
            store.put(message("plant/7/line/" + line + "/temp"));
        }
        store.put(message("plant/7/status"));
        counter = new Counter();
        check("plant/7/line/+/temp", LINES);
        check("plant/7/#", LINES + 1);
        // Settle the large live set built above so old-generation collection does not run during measurement.
        System.gc();
    }

    static String unrelatedTopic(int i) {
        switch (i % 3) {
            case 0:
                return "devices/" + i + "/telemetry/temp";
            case 1:
                return "site/" + i + "/status";
            default:
                return "plant/" + (i + 8) + "/line/0/temp";
        }
    }

    private static Message message(String topic) {
        return new Message(topic, 1, true, PAYLOAD, null, "bench", Message.NO_EXPIRY);
    }

    private void check(String filter, int expected) {
        counter.count = 0;
        store.match(filter, counter);
        if (counter.count != expected) {
            throw new IllegalStateException(filter + ": expected " + expected + " matches, got " + counter.count);
        }
    }

    @Benchmark
    public int matchSingleLevelWildcard() {
        counter.count = 0;
        store.match("plant/7/line/+/temp", counter);
        return counter.count;
    }

    @Benchmark
    public int matchMultiLevelWildcard() {
        counter.count = 0;
        store.match("plant/7/#", counter);
        return counter.count;
    }

    @Benchmark
    public int matchExact() {
        counter.count = 0;
        store.match("plant/7/line/2/temp", counter);
        return counter.count;
    }

    static final class Counter implements Consumer<Message> {
        int count;

        @Override
        public void accept(Message message) {
            count++;
        }
    }
}
