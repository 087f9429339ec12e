package io.rampart.server.insights;

import java.time.Duration;

/**
 * Client event histories and topic insights ({@code insights:}).
 *
 * @param clientEvents per-client event rings
 * @param topics       the busiest topics and topic levels
 */
public record InsightSettings(ClientEvents clientEvents, Topics topics) {

    public static final InsightSettings DEFAULTS = new InsightSettings(ClientEvents.DEFAULTS, Topics.DEFAULTS);

    public InsightSettings {
        java.util.Objects.requireNonNull(clientEvents, "clientEvents");
        java.util.Objects.requireNonNull(topics, "topics");
    }

    /**
     * @param enabled          whether histories are kept at all
     * @param perClient        events kept per client (the oldest go first); 1..10 000
     * @param memory           the most all histories together may hold (estimated bytes); 1 MB..1 GB
     * @param offlineRetention how long the history of a client that is not connected is kept; 1 s..30 days
     */
    public record ClientEvents(boolean enabled, int perClient, long memory, Duration offlineRetention) {

        public static final ClientEvents DEFAULTS = new ClientEvents(true, 50, 32L << 20, Duration.ofHours(1));

        public ClientEvents {
            if (perClient < 1 || perClient > 10_000) {
                throw new IllegalArgumentException("per-client: must be between 1 and 10000 (was " + perClient + ")");
            }
            if (memory < 1L << 20 || memory > 1L << 30) {
                throw new IllegalArgumentException("memory: must be between 1MB and 1GB (was " + memory + ")");
            }
            if (offlineRetention.compareTo(Duration.ofSeconds(1)) < 0
                    || offlineRetention.compareTo(Duration.ofDays(30)) > 0) {
                throw new IllegalArgumentException("offline-retention: must be between 1s and 30d (was "
                        + offlineRetention + ")");
            }
        }
    }

    /**
     * @param enabled    whether topics are counted at all
     * @param window     rates are averages over this window; 1 s..1 h
     * @param sketchSize items each heavy-hitters sketch tracks (a power of two, 64..65 536): what bounds the memory
     * @param levels     topic levels counted as subtrees ({@code a/#}, {@code a/b/#}, ...); 0..16
     * @param metricsTop topics exposed as Prometheus gauges per direction; 0..100
     */
    public record Topics(boolean enabled, Duration window, int sketchSize, int levels, int metricsTop) {

        public static final Topics DEFAULTS = new Topics(true, Duration.ofMinutes(1), 1024, 3, 10);

        public Topics {
            if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("window: must be between 1s and 1h (was " + window + ")");
            }
            if (sketchSize < 64 || sketchSize > 65_536 || Integer.bitCount(sketchSize) != 1) {
                throw new IllegalArgumentException("sketch-size: must be a power of two between 64 and 65536 (was "
                        + sketchSize + ")");
            }
            if (levels < 0 || levels > 16) {
                throw new IllegalArgumentException("levels: must be between 0 and 16 (was " + levels + ")");
            }
            if (metricsTop < 0 || metricsTop > 100) {
                throw new IllegalArgumentException("metrics-top: must be between 0 and 100 (was " + metricsTop + ")");
            }
        }
    }
}
