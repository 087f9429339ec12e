package io.rampart.server.admin;

import io.rampart.admin.broker.BrokerControl;
import io.rampart.core.BrokerCore;
import io.rampart.security.realm.file.FileRealm;
import io.rampart.security.realm.file.FileRealmException;
import io.rampart.security.spi.Realm;
import io.rampart.server.config.BrokerConfig;
import io.rampart.server.config.ConfigException;
import io.rampart.server.config.ConfigLoader;
import io.rampart.server.metrics.BrokerMetrics;
import io.rampart.tls.ServerTls;

import io.rampart.server.config.ListenerConfig;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/** What the admin plane may read of, and ask of, this broker. */
final class ServerControl implements BrokerControl {

    private final BrokerConfig config;
    private final BrokerCore core;
    private final BrokerMetrics metrics;
    private final Supplier<List<String>> readiness;
    private final IntSupplier connections;
    private final Function<String, InetSocketAddress> bound;
    private final String version;
    private final Supplier<Map<String, Object>> cluster;
    private volatile Map<String, Realm> realms = Map.of();
    private volatile List<ServerTls> tls = List.of();

    /**
     * @param bound   where a listener is bound now, by name ({@code null} while it is not)
     * @param version the broker's version
     * @param cluster the cluster as this node sees it ({@code enabled: false} for a single broker)
     */
    ServerControl(BrokerConfig config, BrokerCore core, BrokerMetrics metrics, Supplier<List<String>> readiness,
                  IntSupplier connections, Function<String, InetSocketAddress> bound, String version,
                  Supplier<Map<String, Object>> cluster) {
        this.bound = bound;
        this.version = version;
        this.config = config;
        this.core = core;
        this.metrics = metrics;
        this.readiness = readiness;
        this.connections = connections;
        this.cluster = cluster;
    }

    /** The realms and TLS listeners, once open. */
    void attach(Map<String, Realm> openRealms, List<ServerTls> tlsListeners) {
        this.realms = Map.copyOf(openRealms);
        this.tls = List.copyOf(tlsListeners);
    }

    @Override
    public Map<String, Object> effectiveConfiguration() {
        return ConfigTree.of(config);
    }

    @Override
    public Validation validate(String yaml) {
        try {
            ConfigLoader.parse(yaml, "request");
            return new Validation(true, null, null);
        } catch (ConfigException e) {
            return new Validation(false, e.keyPath(), e.reason());
        }
    }

    @Override
    public List<ReloadStep> reload() {
        List<ReloadStep> steps = new ArrayList<>();
        for (Realm realm : realms.values()) {
            if (realm instanceof FileRealm file) {
                try {
                    steps.add(new ReloadStep("realm", realm.name(), file.reload() ? "reloaded" : "unchanged", null));
                } catch (FileRealmException e) {
                    steps.add(new ReloadStep("realm", realm.name(), "failed", e.getMessage()));
                }
            } else {
                steps.add(new ReloadStep("realm", realm.name(), "not-needed",
                        "a " + realm.type() + " realm is asked at every login (through its cache)"));
            }
        }
        for (ServerTls t : tls) {
            t.reloadNow();
            steps.add(new ReloadStep("tls", t.listener(), "checked",
                    "changed files are in use for new handshakes; the broker log names the certificate"));
        }
        return steps;
    }

    @Override
    public List<String> readinessProblems() {
        return readiness.get();
    }

    @Override
    public String prometheusScrape() {
        return metrics.scrape();
    }

    @Override
    public Map<String, Object> cluster() {
        return cluster.get();
    }

    @Override
    public Map<String, Object> metricsSummary() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("uptimeSeconds", ManagementFactory.getRuntimeMXBean().getUptime() / 1000);
        out.put("connections", connections.getAsInt());
        out.put("sessions", core.sessions().size());
        out.put("connectedSessions", core.sessions().connectedCount());
        out.put("subscriptions", core.subscriptions().subscriptionCount());
        out.put("sharedSubscriptions", core.subscriptions().sharedSubscriptionCount());
        out.put("retainedMessages", core.retained().size());
        out.put("messagesReceived", metrics.messagesReceived());
        out.put("messagesSent", metrics.messagesSent());
        out.put("bytesReceived", metrics.bytesReceived());
        out.put("bytesSent", metrics.bytesSent());
        out.put("messagesDropped", metrics.droppedTotal());
        out.put("connectsAccepted", metrics.connectsAccepted());
        out.put("connectsRefused", metrics.connectsRefused());
        out.put("authenticationFailures", metrics.authenticationFailures());
        out.put("authorizationDenials", metrics.authorizationDenials());
        out.put("tlsHandshakeFailures", metrics.tlsHandshakeFailures());
        out.put("version", version);
        List<Map<String, Object>> listeners = new ArrayList<>();
        for (ListenerConfig l : config.listeners()) {
            InetSocketAddress address = bound.apply(l.name());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", l.name());
            m.put("type", l.type().configName());
            m.put("bind", l.bind());
            m.put("port", address == null ? null : address.getPort());
            m.put("up", address != null);
            listeners.add(m);
        }
        out.put("listeners", listeners);
        return out;
    }
}
