package io.rampart.admin.ban;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rampart.admin.net.Cidr;
import io.rampart.admin.store.StateFile;
import io.rampart.core.cluster.SharedTable;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The bans in {@code <data-dir>/admin/bans.json}, consulted at every CONNECT before any realm is asked. The
 * check reads an immutable snapshot: with no bans it costs one volatile read. Expired bans stop matching at
 * once and are dropped from the file at its next write.
 *
 * <p>On a node of a cluster ({@link #share}) the bans are also in a table every node holds: a ban set or lifted on any
 * node is in force or lifted on all of them (and written to each node's file), and a temporary ban leaves the table at
 * its expiry.
 */
public final class BanList {

    private static final Logger LOG = LogManager.getLogger(BanList.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    public static final int MAX_BANS = 100_000;

    private final StateFile file;
    private final Clock clock;
    private volatile Snapshot snapshot = Snapshot.EMPTY;
    private byte[] digest = StateFile.digest(null);
    private volatile SharedTable shared;

    /** The bans indexed for matching. */
    private record Snapshot(List<Ban> all, Map<String, Ban> clientIds, Map<String, Ban> usernames,
                            List<Map.Entry<Cidr, Ban>> networks) {
        static final Snapshot EMPTY = new Snapshot(List.of(), Map.of(), Map.of(), List.of());

        static Snapshot of(List<Ban> bans) {
            Map<String, Ban> clientIds = new HashMap<>();
            Map<String, Ban> usernames = new HashMap<>();
            List<Map.Entry<Cidr, Ban>> networks = new ArrayList<>();
            for (Ban b : bans) {
                switch (b.kind()) {
                    case CLIENT_ID -> clientIds.putIfAbsent(b.value(), b);
                    case USERNAME -> usernames.putIfAbsent(b.value(), b);
                    case ADDRESS -> networks.add(Map.entry(Cidr.parse(b.value()), b));
                }
            }
            return new Snapshot(List.copyOf(bans), Map.copyOf(clientIds), Map.copyOf(usernames), List.copyOf(networks));
        }
    }

    public BanList(Path path, Clock clock) {
        this.file = new StateFile(path);
        this.clock = clock;
    }

    /** Reads the file (missing: no bans); throws with file and reason when it is invalid. */
    public synchronized BanList load() throws IOException {
        byte[] content = file.read();
        snapshot = Snapshot.of(parse(content));
        digest = StateFile.digest(content);
        return this;
    }

    /** Re-reads the file when it changed (an edit or a restore); a broken file keeps the bans in force. */
    public boolean reloadIfChanged() throws IOException {
        synchronized (this) {
            byte[] content = file.read();
            byte[] now = StateFile.digest(content);
            if (MessageDigest.isEqual(now, digest)) {
                return false;
            }
            snapshot = Snapshot.of(parse(content));
            digest = now;
            LOG.info("bans reloaded from {}: {} ban(s)", file.path(), snapshot.all().size());
        }
        // The table's writes wait for every node to apply them: never while holding this list's lock.
        SharedTable table = shared;
        if (table != null) {
            publish(table, snapshot.all(), true);
        }
        return true;
    }

    /** The ban hitting a client with these properties, or {@code null}. Cheap: called at every CONNECT. */
    public Ban match(String clientId, String username, InetAddress address) {
        Snapshot s = snapshot;
        if (s.all().isEmpty()) {
            return null;
        }
        Instant now = clock.instant();
        Ban b = clientId == null ? null : s.clientIds().get(clientId);
        if (b != null && !b.expired(now)) {
            return b;
        }
        b = username == null ? null : s.usernames().get(username);
        if (b != null && !b.expired(now)) {
            return b;
        }
        if (address != null) {
            for (Map.Entry<Cidr, Ban> e : s.networks()) {
                if (!e.getValue().expired(now) && e.getKey().contains(address)) {
                    return e.getValue();
                }
            }
        }
        return null;
    }

    /** The bans in force, oldest first. */
    public List<Ban> list() {
        Instant now = clock.instant();
        return snapshot.all().stream().filter(b -> !b.expired(now))
                .sorted(Comparator.comparing(Ban::createdAt).thenComparing(Ban::id)).toList();
    }

    /** Adds a ban and writes the file. */
    public Ban add(Ban.Kind kind, String value, String reason, Instant expiresAt, String createdBy)
            throws IOException {
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Ban ban = new Ban(randomId(), kind, value, reason, createdBy, now, expiresAt);
        synchronized (this) {
            update(current -> {
                if (current.size() >= MAX_BANS) {
                    throw new IOException("there are already " + MAX_BANS + " bans; lift some first");
                }
                current.add(ban);
            });
        }
        SharedTable table = shared;
        if (table != null) {
            table.put(ban.id(), encode(ban), ban.expiresAt());
        }
        return ban;
    }

    /** Lifts a ban; {@code null} when there is none with that id. */
    public Ban remove(String id) throws IOException {
        Ban[] removed = {null};
        synchronized (this) {
            update(current -> current.removeIf(b -> {
                if (b.id().equals(id)) {
                    removed[0] = b;
                    return true;
                }
                return false;
            }));
        }
        SharedTable table = shared;
        if (table != null && removed[0] != null) {
            table.remove(id);
        }
        return removed[0];
    }

    /**
     * Shares the bans with the other nodes of a cluster through {@code table}. When the table already has bans (the
     * cluster ran before this node joined) they replace this node's; otherwise this node's bans go into the table.
     *
     * @param added hears of each ban another node sets (to disconnect the clients it hits here)
     */
    public void share(SharedTable table, Consumer<Ban> added) throws IOException {
        table.listen((id, value) -> changedElsewhere(id, value, added));
        Map<String, byte[]> there = table.entries();
        if (there.isEmpty()) {
            publish(table, snapshot.all(), false);
        } else {
            List<Ban> theirs = new ArrayList<>();
            for (Map.Entry<String, byte[]> e : there.entrySet()) {
                Ban b = decode(e.getValue());
                if (b != null) {
                    theirs.add(b);
                }
            }
            synchronized (this) {
                update(current -> {
                    current.clear();
                    current.addAll(theirs);
                });
            }
            LOG.info("bans: {} ban(s) taken from the cluster", theirs.size());
        }
        shared = table;
    }

    /** Puts {@code bans} into the table; {@code exact}: also removes what the table has beyond them. */
    private void publish(SharedTable table, List<Ban> bans, boolean exact) {
        Set<String> ids = new HashSet<>();
        Instant now = clock.instant();
        for (Ban b : bans) {
            if (!b.expired(now)) {
                ids.add(b.id());
                if (table.get(b.id()) == null) {
                    table.put(b.id(), encode(b), b.expiresAt());
                }
            }
        }
        if (exact) {
            for (String id : table.entries().keySet()) {
                if (!ids.contains(id)) {
                    table.remove(id);
                }
            }
        }
    }

    /** Another node set ({@code value}) or lifted ({@code null}) ban {@code id}. */
    private synchronized void changedElsewhere(String id, byte[] value, Consumer<Ban> added) {
        Ban ban = value == null ? null : decode(value);
        boolean known = snapshot.all().stream().anyMatch(b -> b.id().equals(id));
        try {
            if (ban == null) {
                if (known) {
                    update(current -> current.removeIf(b -> b.id().equals(id)));
                    LOG.info("ban {} lifted on another node of the cluster", id);
                }
                return;
            }
            if (!known) {
                update(current -> current.add(ban));
                LOG.info("ban {} ({}) set on another node of the cluster", id, ban.describe());
                added.accept(ban);
            }
        } catch (IOException e) {
            LOG.error("ban {} changed on another node but could not be written to {}: {}", id, file.path(),
                    e.getMessage());
        }
    }

    private static byte[] encode(Ban b) {
        try {
            return JSON.writeValueAsBytes(node(b));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Ban decode(byte[] value) {
        try {
            return ban(JSON.readTree(value));
        } catch (IOException | RuntimeException e) {
            LOG.error("a ban shared by another node cannot be read and is ignored: {}", e.getMessage());
            return null;
        }
    }

    private interface Change {
        void apply(List<Ban> bans) throws IOException;
    }

    private void update(Change change) throws IOException {
        file.locked(() -> {
            List<Ban> current = new ArrayList<>(parse(file.read()));
            Instant now = clock.instant();
            current.removeIf(b -> b.expired(now));
            change.apply(current);
            byte[] updated = render(current);
            file.write(updated);
            snapshot = Snapshot.of(current);
            digest = StateFile.digest(updated);
            return null;
        });
    }

    private List<Ban> parse(byte[] content) throws IOException {
        if (content == null || content.length == 0) {
            return List.of();
        }
        String where = file.path().toString();
        JsonNode root;
        try {
            root = JSON.readTree(content);
        } catch (JsonProcessingException e) {
            throw new IOException(where + ": not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode list = root == null ? null : root.get("bans");
        if (list == null || !list.isArray()) {
            throw new IOException(where + ": expected an object with a 'bans' list");
        }
        List<Ban> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode n = list.get(i);
            try {
                out.add(ban(n));
            } catch (IllegalArgumentException | DateTimeParseException | NullPointerException e) {
                throw new IOException(where + ": bans[" + i + "]: " + e.getMessage());
            }
        }
        return out;
    }

    private static Ban ban(JsonNode n) {
        String expires = text(n, "expiresAt");
        return new Ban(text(n, "id"), Ban.Kind.byId(text(n, "kind")), text(n, "value"), text(n, "reason"),
                text(n, "createdBy"), Instant.parse(text(n, "createdAt")),
                expires == null ? null : Instant.parse(expires));
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static byte[] render(List<Ban> bans) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("bans");
        for (Ban b : bans) {
            list.add(node(b));
        }
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    }

    private static ObjectNode node(Ban b) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", b.id());
        n.put("kind", b.kind().id());
        n.put("value", b.value());
        n.put("reason", b.reason());
        n.put("createdBy", b.createdBy());
        n.put("createdAt", b.createdAt().toString());
        n.put("expiresAt", b.expiresAt() == null ? null : b.expiresAt().toString());
        return n;
    }

    private static String randomId() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }

    /** For tests and the reload answer. */
    public Path path() {
        return file.path();
    }
}
