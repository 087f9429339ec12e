package io.rampart.server.config;

import io.rampart.admin.config.AdminSettings;
import io.rampart.cluster.ClusterSettings;
import io.rampart.core.MqttLimits;
import io.rampart.core.memory.BudgetSettings;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The whole broker configuration, immutable and validated.
 *
 * @param listeners at least one; names unique; no two on the same bind address and port (port 0 excepted)
 * @param mqtt      protocol limits
 * @param dataDir   directory for persistent state, absolute
 * @param source    where the configuration came from (file name), for log lines
 * @param security  realms and pipelines ({@link SecurityConfig#NONE} when absent)
 * @param observability metrics push, event-log format and $SYS topics ({@link ObservabilityConfig#DEFAULTS} when absent)
 * @param admin     the admin plane: role mapping, limits, sessions ({@link AdminSettings#DEFAULTS} when absent)
 * @param memory    the memory budget of queued and in-flight messages and its marks
 * @param insights  trace recordings, client event histories, detections ({@link InsightsConfig#DEFAULTS} when
 *                  absent)
 * @param cluster   this broker as a node of a cluster ({@link ClusterSettings#DISABLED} when absent)
 * @throws IllegalArgumentException "key.path: reason" when the listeners contradict each other
 */
public record BrokerConfig(List<ListenerConfig> listeners, MqttLimits mqtt, Path dataDir, String source,
                           SecurityConfig security, ObservabilityConfig observability, AdminSettings admin,
                           BudgetSettings memory, InsightsConfig insights, ClusterSettings cluster) {

    /**
     * A configuration whose memory budget is the default share of the maximum heap, without insight sections, without
     * a cluster section (a single broker).
     */
    public BrokerConfig(List<ListenerConfig> listeners, MqttLimits mqtt, Path dataDir, String source,
                        SecurityConfig security, ObservabilityConfig observability, AdminSettings admin) {
        this(listeners, mqtt, dataDir, source, security, observability, admin,
                BudgetSettings.ofHeap(Runtime.getRuntime().maxMemory()), InsightsConfig.DEFAULTS);
    }

    /** A configuration without a cluster section (a single broker). */
    public BrokerConfig(List<ListenerConfig> listeners, MqttLimits mqtt, Path dataDir, String source,
                        SecurityConfig security, ObservabilityConfig observability, AdminSettings admin,
                        BudgetSettings memory, InsightsConfig insights) {
        this(listeners, mqtt, dataDir, source, security, observability, admin, memory, insights,
                ClusterSettings.DISABLED);
    }

    /** A configuration without an admin section (defaults). */
    public BrokerConfig(List<ListenerConfig> listeners, MqttLimits mqtt, Path dataDir, String source,
                        SecurityConfig security, ObservabilityConfig observability) {
        this(listeners, mqtt, dataDir, source, security, observability, AdminSettings.DEFAULTS);
    }

    /** A configuration without observability settings (defaults). */
    public BrokerConfig(List<ListenerConfig> listeners, MqttLimits mqtt, Path dataDir, String source,
                        SecurityConfig security) {
        this(listeners, mqtt, dataDir, source, security, ObservabilityConfig.DEFAULTS);
    }

    /** A configuration without a security section. */
    public BrokerConfig(List<ListenerConfig> listeners, MqttLimits mqtt, Path dataDir, String source) {
        this(listeners, mqtt, dataDir, source, SecurityConfig.NONE);
    }

    public BrokerConfig {
        Objects.requireNonNull(listeners, "listeners");
        Objects.requireNonNull(mqtt, "mqtt");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(observability, "observability");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(insights, "insights");
        Objects.requireNonNull(cluster, "cluster");
        listeners = List.copyOf(listeners);
        if (listeners.isEmpty()) {
            throw new IllegalArgumentException("listeners: must contain at least one listener");
        }
        for (int i = 0; i < listeners.size(); i++) {
            ListenerConfig listener = listeners.get(i);
            for (int j = 0; j < i; j++) {
                ListenerConfig earlier = listeners.get(j);
                if (earlier.name().equals(listener.name())) {
                    throw new IllegalArgumentException("listeners[" + i + "].name: duplicate listener name"
                            + " (also used by listeners[" + j + "])");
                }
                if (listener.port() != 0 && listener.port() == earlier.port()
                        && BindAddress.overlap(listener.bind(), earlier.bind())) {
                    throw new IllegalArgumentException("listeners[" + i + "].port: same bind address and port as"
                            + " listeners[" + j + "] ('" + earlier.name() + "')");
                }
            }
        }
    }
}
