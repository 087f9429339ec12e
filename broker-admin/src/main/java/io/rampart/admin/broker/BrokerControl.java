package io.rampart.admin.broker;

import java.util.List;
import java.util.Map;

/** What the admin plane may read of, and ask of, the broker as a whole. */
public interface BrokerControl {

    /** The configuration in force as a tree of maps, lists and scalars, with every secret replaced by {@code "***"}. */
    Map<String, Object> effectiveConfiguration();

    /** Validates a configuration exactly as startup would, without applying anything. */
    Validation validate(String yaml);

    /** Reloads realms, TLS material, bans and tokens; one step per item, in order. */
    List<ReloadStep> reload();

    /** Why the broker is not ready (empty when it is). */
    List<String> readinessProblems();

    /** The Prometheus text exposition. */
    String prometheusScrape();

    /** A small summary of the broker's state and counters. */
    Map<String, Object> metricsSummary();

    /**
     * The cluster as this node sees it: its nodes (name, state, version, client address), whether this node is in the
     * minority, the routing table's size and the replication lag; {@code {"enabled": false}} for a single broker.
     */
    Map<String, Object> cluster();

    /**
     * @param valid   whether the configuration would start
     * @param keyPath the offending key ({@code listeners[0].port}), empty for the whole file, {@code null} when valid
     * @param reason  why, {@code null} when valid
     */
    record Validation(boolean valid, String keyPath, String reason) {
    }

    /**
     * @param kind    {@code realm}, {@code tls}, {@code bans}, {@code tokens}
     * @param name    which one (realm or listener name)
     * @param outcome {@code reloaded}, {@code unchanged}, {@code failed} or {@code not-reloadable}
     * @param detail  a reason for failures, else {@code null}
     */
    record ReloadStep(String kind, String name, String outcome, String detail) {
    }
}
