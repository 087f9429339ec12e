package io.rampart.server.insights;

import java.time.Duration;

/**
 * Client event histories and topic insights ({@code insights:}).
 *
 * @param clientEvents per-client event rings
 * @param topics       the busiest topics, topic levels and filters
 */
public record InsightSettings(ClientEvents clientEvents, TopicSettings topics) {

    public static final InsightSettings DEFAULTS = new InsightSettings(ClientEvents.DEFAULTS, TopicSettings.DEFAULTS);

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
}
