package io.rampart.server.detect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rampart.admin.broker.DetectionLog;
import io.rampart.core.cluster.SharedTable;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * The detections of every node of a cluster: each node puts the detections it raises into a table all nodes hold
 * (and takes its oldest out beyond {@code history}), lists the table, and acknowledges in it, so a detection raised on
 * one node is listed, and can be acknowledged, on any node. The table as a whole keeps at most {@code history} per node
 * of the cluster (the oldest go first), so detections of nodes that left do not pile up.
 */
public final class SharedDetections implements DetectionLog {

    private static final Logger LOG = LogManager.getLogger(SharedDetections.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SharedTable table;
    private final int history;
    private final Clock clock;
    private final IntSupplier nodes;
    /** The ids this node put into the table, oldest first; guarded by itself. */
    private final ArrayDeque<String> mine = new ArrayDeque<>();

    /** @param nodes the number of nodes in the cluster now */
    public SharedDetections(SharedTable table, int history, Clock clock, IntSupplier nodes) {
        this.table = table;
        this.history = history;
        this.clock = clock;
        this.nodes = nodes;
    }

    /** A detection raised on this node; called off event loops (the write waits for the other nodes). */
    public void raised(Detection d) {
        try {
            table.put(d.id(), encode(d), null);
        } catch (RuntimeException e) {
            LOG.warn("detection {} not shared with the other nodes of the cluster: {}", d.id(), e.toString());
            return;
        }
        String drop = null;
        synchronized (mine) {
            mine.addLast(d.id());
            if (mine.size() > history) {
                drop = mine.pollFirst();
            }
        }
        if (drop != null) {
            table.remove(drop);
        }
        int bound = history * Math.max(1, nodes.getAsInt());
        Map<String, byte[]> all = table.entries();
        if (all.size() > bound) {
            List<Detection> oldestFirst = new ArrayList<>();
            for (byte[] value : all.values()) {
                Detection x = decode(value);
                if (x != null) {
                    oldestFirst.add(x);
                }
            }
            oldestFirst.sort(Comparator.comparing(Detection::time).thenComparing(Detection::id));
            for (int i = 0; i < all.size() - bound && i < oldestFirst.size(); i++) {
                table.remove(oldestFirst.get(i).id());
            }
        }
    }

    @Override
    public List<Detection> list(String rule, Instant since) {
        List<Detection> out = new ArrayList<>();
        for (byte[] value : table.entries().values()) {
            Detection d = decode(value);
            if (d != null && (rule == null || d.rule().equals(rule)) && (since == null || !d.time().isBefore(since))) {
                out.add(d);
            }
        }
        out.sort(Comparator.comparing(Detection::time).thenComparing(Detection::id).reversed());
        return out;
    }

    @Override
    public Detection acknowledge(String id, String by, String note) {
        byte[] value = table.get(id);
        Detection d = value == null ? null : decode(value);
        if (d == null) {
            return null;
        }
        Detection done = new Detection(d.id(), d.time(), d.rule(), d.keyKind(), d.key(), d.count(), d.window(),
                d.summary(), d.addresses(), d.banId(), d.banExpires(), by, clock.instant(), note);
        table.put(id, encode(done), null);
        return done;
    }

    static byte[] encode(Detection d) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", d.id());
        n.put("time", d.time().toString());
        n.put("rule", d.rule());
        n.put("keyKind", d.keyKind());
        n.put("key", d.key());
        n.put("count", d.count());
        n.put("windowMillis", d.window().toMillis());
        n.put("summary", d.summary());
        d.addresses().forEach(n.putArray("addresses")::add);
        n.put("banId", d.banId());
        n.put("banExpires", d.banExpires() == null ? null : d.banExpires().toString());
        n.put("acknowledgedBy", d.acknowledgedBy());
        n.put("acknowledgedAt", d.acknowledgedAt() == null ? null : d.acknowledgedAt().toString());
        n.put("note", d.note());
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Detection decode(byte[] value) {
        try {
            JsonNode n = JSON.readTree(value);
            List<String> addresses = new ArrayList<>();
            n.path("addresses").forEach(a -> addresses.add(a.asText()));
            return new Detection(text(n, "id"), Instant.parse(text(n, "time")), text(n, "rule"), text(n, "keyKind"),
                    text(n, "key"), n.path("count").asLong(), Duration.ofMillis(n.path("windowMillis").asLong()),
                    text(n, "summary"), List.copyOf(addresses), text(n, "banId"), instant(n, "banExpires"),
                    text(n, "acknowledgedBy"), instant(n, "acknowledgedAt"), text(n, "note"));
        } catch (IOException | RuntimeException e) {
            LOG.error("a detection shared by another node cannot be read and is ignored: {}", e.toString());
            return null;
        }
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Instant instant(JsonNode n, String key) {
        String v = text(n, key);
        return v == null ? null : Instant.parse(v);
    }
}
