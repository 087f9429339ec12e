import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * The methods of {@code PermissionCheckBenchmark} from two builds, timed in one JVM (a class loader per build) in
 * interleaved slices (A B, B A, ...), so that a machine whose load changes during the run weighs on both alike.
 * Prints a markdown table: per benchmark the median ns/op of each build and the median branch/main ratio of the
 * paired slices with its 10th-90th percentile (BENCHMARKS.md, "Permission checks with rule provenance").
 *
 * <pre>
 * java bench/PairedPermissionCheck.java main/rampart-bench.jar branch/rampart-bench.jar 200
 * </pre>
 */
public class PairedPermissionCheck {

    private static final String[] METHODS = {"publishDeniedByDeny", "publishAllowedFirstRule",
            "publishAllowedLastRule", "publishDeniedNoRule", "subscribeDenied", "subscribeAllowed", "receiveAllowed",
            "receiveAllowedLaterRule"};
    private static final int CALLS_PER_SLICE = 200_000;
    private static final int WARM_UP_SLICES = 20;

    static volatile boolean sink;

    public static void main(String[] args) throws Throwable {
        if (args.length != 3) {
            System.err.println("usage: java bench/PairedPermissionCheck.java MAIN_JAR BRANCH_JAR PAIRS");
            System.exit(2);
        }
        Object main = load(args[0]);
        Object branch = load(args[1]);
        int pairs = Integer.parseInt(args[2]);
        System.out.println("| benchmark | main ns/op (median) | branch ns/op (median) | branch/main, median of " + pairs
                + " paired slices | 10th-90th percentile |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (String method : METHODS) {
            BooleanSupplier a = check(main, method);
            BooleanSupplier b = check(branch, method);
            for (int w = 0; w < WARM_UP_SLICES; w++) {
                time(a);
                time(b);
            }
            List<Double> ta = new ArrayList<>();
            List<Double> tb = new ArrayList<>();
            List<Double> ratio = new ArrayList<>();
            for (int p = 0; p < pairs; p++) {
                long na;
                long nb;
                if ((p & 1) == 0) {
                    na = time(a);
                    nb = time(b);
                } else {
                    nb = time(b);
                    na = time(a);
                }
                ta.add((double) na / CALLS_PER_SLICE);
                tb.add((double) nb / CALLS_PER_SLICE);
                ratio.add((double) nb / na);
            }
            Collections.sort(ta);
            Collections.sort(tb);
            Collections.sort(ratio);
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.3f | %.2f-%.2f |%n", method, ta.get(pairs / 2),
                    tb.get(pairs / 2), ratio.get(pairs / 2), ratio.get(pairs / 10), ratio.get(pairs * 9 / 10));
        }
    }

    private static Object load(String jar) throws Exception {
        URLClassLoader loader = new URLClassLoader(new URL[]{Path.of(jar).toUri().toURL()},
                ClassLoader.getPlatformClassLoader());
        Class<?> type = loader.loadClass("io.rampart.bench.jmh.PermissionCheckBenchmark");
        Object bench = type.getConstructor().newInstance();
        type.getMethod("setUp").invoke(bench);
        return bench;
    }

    private static BooleanSupplier check(Object bench, String method) throws Exception {
        MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(bench.getClass(), MethodHandles.lookup());
        MethodHandle bound = lookup.findVirtual(bench.getClass(), method, MethodType.methodType(boolean.class))
                .bindTo(bench);
        return () -> {
            try {
                return (boolean) bound.invokeExact();
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        };
    }

    private static long time(BooleanSupplier check) {
        boolean acc = false;
        long start = System.nanoTime();
        for (int i = 0; i < CALLS_PER_SLICE; i++) {
            acc ^= check.getAsBoolean();
        }
        long elapsed = System.nanoTime() - start;
        sink = acc;
        return elapsed;
    }
}
