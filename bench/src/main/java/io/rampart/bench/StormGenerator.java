package io.rampart.bench;

import io.rampart.bench.load.ClientTls;
import io.rampart.bench.load.StormRun;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Reconnect storm against any broker with a TLS listener and a plain one: see {@link StormRun}. Prints one markdown
 * table row (with {@code --header}, the header first). Exit code 0 when every client reconnected, 1 otherwise.
 */
@Command(name = "rampart-storm", mixinStandardHelpOptions = true, sortOptions = false,
        description = "TLS reconnect storm with connected probe clients (latency) and a side connect loop.")
public final class StormGenerator implements Callable<Integer> {

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Broker host (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", required = true, description = "The TLS listener of the storm.")
    int port;

    @Option(names = "--probe-port", required = true, description = "Plain listener of the probe clients.")
    int probePort;

    @Option(names = "--side-port", defaultValue = "0",
            description = "Plain listener of the side connect loop; 0 = none (default: ${DEFAULT-VALUE}).")
    int sidePort;

    @Option(names = "--clients", defaultValue = "10000", description = "Storm clients (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--resume", description = "Storm clients resume their TLS sessions.")
    boolean resume;

    @Option(names = "--tls-version", defaultValue = "1.3", description = "1.2 or 1.3 (default: ${DEFAULT-VALUE}).")
    String tlsVersion;

    @Option(names = "--probe-pairs", defaultValue = "10", description = "Probe publishers (default: ${DEFAULT-VALUE}).")
    int probePairs;

    @Option(names = "--probe-rate", defaultValue = "100",
            description = "Messages per second per probe publisher (default: ${DEFAULT-VALUE}).")
    int probeRate;

    @Option(names = "--before", defaultValue = "10",
            description = "Seconds measured before the storm (default: ${DEFAULT-VALUE}).")
    int before;

    @Option(names = "--max-pending", defaultValue = "0",
            description = "Storm reconnects waiting for their CONNACK, at most; 0 = all clients at once "
                    + "(default: ${DEFAULT-VALUE}).")
    int maxPending;

    @Option(names = "--header", description = "Print the table header first.")
    boolean header;

    public static void main(String[] args) {
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
        }
        System.exit(new CommandLine(new StormGenerator()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (clients < 1 || clients > 19_000 || probePairs < 1 || probeRate < 1 || before < 1 || maxPending < 0) {
            System.err.println("rampart-storm: --clients 1..19000, --probe-pairs, --probe-rate and --before at least 1, "
                    + "--max-pending 0 or more");
            return 2;
        }
        String prefix = "st-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL) + "-";
        StormRun.Settings settings = new StormRun.Settings(host, port, new ClientTls("TLSv" + tlsVersion, null),
                resume, clients, probePort, probePairs, probeRate, sidePort, before, prefix, maxPending);
        if (header) {
            StormRun.header(System.out);
        }
        return new StormRun(settings).run(System.out);
    }
}
