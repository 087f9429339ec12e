package io.rampart.bench.jmh;

import io.rampart.core.topic.SharedGroup;
import io.rampart.core.topic.Subscription;
import io.rampart.core.topic.SubscriptionIndex;
import io.rampart.core.topic.SubscriptionVisitor;
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

/**
 * Cost of {@link SubscriptionIndex#match} for a topic with a handful of matches while the index holds a
 * growing number of unrelated subscriptions. The trie should keep the time roughly flat across the params.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class SubscriptionIndexBenchmark {

    /** The topic measured; the index holds exactly {@link #EXPECTED_MATCHES} matching entries for it. */
    static final String TOPIC = "plant/7/line/3/temp";
    static final int EXPECTED_MATCHES = 5;

    @Param({"1", "10000", "1000000"})
    int subscriptions;

    private SubscriptionIndex index;
    private CountingVisitor visitor;

    @Setup(Level.Trial)
    public void setUp() {
        index = new SubscriptionIndex();
        for (int i = 0; i < subscriptions; i++) {
            index.subscribe(plain("client-" + i, unrelatedFilter(i)));
        }
        // The handful of matches: exact, two wildcard forms, one multi-level, one shared group of three.
        index.subscribe(plain("m1", TOPIC));
        index.subscribe(plain("m2", "plant/+/line/+/temp"));
        index.subscribe(plain("m3", "plant/7/#"));
        index.subscribe(plain("m4", "+/7/line/3/+"));
        for (int i = 0; i < 3; i++) {
            index.subscribe(new Subscription("w" + i, "plant/7/line/+/temp", "workers", 1, false, false, 0, 0));
        }
        visitor = new CountingVisitor();
        index.match(TOPIC, visitor);
        if (visitor.count != EXPECTED_MATCHES) {
            throw new IllegalStateException("expected " + EXPECTED_MATCHES + " matches, got " + visitor.count);
        }
        // Settle the large live set built above so old-generation collection does not run during measurement.
        System.gc();
    }

    /** Filters that share prefixes with the measured topic's branches without matching it. */
    static String unrelatedFilter(int i) {
        switch (i % 4) {
            case 0:
                return "devices/" + i + "/telemetry/+";
            case 1:
                return "site/" + i + "/#";
            case 2:
                return "plant/" + (i + 8) + "/line/+/temp";
            default:
                return "plant/7/line/" + (i + 4) + "/+";
        }
    }

    private static Subscription plain(String clientId, String filter) {
        return new Subscription(clientId, filter, null, 1, false, false, 0, 0);
    }

    @Benchmark
    public int matchHandful() {
        visitor.count = 0;
        index.match(TOPIC, visitor);
        return visitor.count;
    }

    /** Walks the same wildcard branches but ends without a match. */
    @Benchmark
    public int matchNone() {
        visitor.count = 0;
        index.match("plant/9/line/3/speed", visitor);
        return visitor.count;
    }

    static final class CountingVisitor implements SubscriptionVisitor {
        int count;

        @Override
        public void visit(Subscription subscription) {
            count++;
        }

        @Override
        public void visitShared(SharedGroup group) {
            Subscription member = group.next(s -> true);
            count += member != null ? 1 : 0;
        }
    }
}
