package io.rampart.admin.token;

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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * API tokens ({@code rmp_<id>_<secret>}) in {@code <data-dir>/admin/tokens.json}. A token's secret is 256 random
 * bits, shown once when it is created; the file keeps only its SHA-256, compared in constant time. The
 * {@code rampart token} command and the broker both edit the file (each under its lock, replacing it atomically);
 * the broker notices changes made by the command on its next {@link #reloadIfChanged()}.
 *
 * <p>Last-used times are kept in memory and written with {@link #flushLastUsed()}, not on every request.
 *
 * <p>On a node of a cluster ({@link #share}) the tokens (their SHA-256, never their secrets) are also in a table every
 * node holds: a token created on any node works on all of them, and a token revoked on any node stops on all of them.
 * Last-used times stay per node.
 */
public final class TokenStore {

    private static final Logger LOG = LogManager.getLogger(TokenStore.class);
    public static final String PREFIX = "rmp_";
    private static final Pattern TOKEN = Pattern.compile("rmp_([a-z0-9]{16})_([A-Za-z0-9_-]{43})");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_TOKENS = 10_000;

    private final StateFile file;
    private final Clock clock;
    private volatile Map<String, ApiToken> tokens = Map.of();
    private final ConcurrentHashMap<String, Instant> lastUsed = new ConcurrentHashMap<>();
    private byte[] digest = StateFile.digest(null);
    private volatile SharedTable shared;

    /** A token just created: the record and the whole token text, which is never available again. */
    public record Issued(ApiToken token, String secret) {
        @Override
        public String toString() {
            return "Issued[" + token.id() + "]";
        }
    }

    /** The outcome of checking a presented token; the reason is for logs, never for the caller. */
    public sealed interface Verification permits Valid, Refused {
    }

    public record Valid(ApiToken token) implements Verification {
    }

    public record Refused(String tokenId, String reason) implements Verification {
    }

    public TokenStore(java.nio.file.Path path, Clock clock) {
        this.file = new StateFile(path);
        this.clock = clock;
    }

    /**
     * Reads the file (missing: no tokens).
     *
     * @throws IOException when it cannot be read or is not a valid token file; the message names file and reason
     */
    public synchronized TokenStore load() throws IOException {
        byte[] content = file.read();
        tokens = parse(content);
        digest = StateFile.digest(content);
        return this;
    }

    public java.nio.file.Path path() {
        return file.path();
    }

    /** Picks up changes made by another process; a broken file keeps the tokens in force and is logged. */
    public boolean reloadIfChanged() {
        try {
            synchronized (this) {
                byte[] content = file.read();
                byte[] now = StateFile.digest(content);
                if (MessageDigest.isEqual(now, digest)) {
                    return false;
                }
                tokens = parse(content);
                digest = now;
                LOG.info("API tokens reloaded from {}: {} token(s)", file.path(), tokens.size());
            }
            // The table's writes wait for every node to apply them: never while holding this store's lock.
            SharedTable table = shared;
            if (table != null) {
                publish(table, true);
            }
            return true;
        } catch (IOException e) {
            LOG.error("API tokens not reloaded, the previous ones stay in force: {}", e.getMessage());
            return false;
        }
    }

    /** Every token, by creation time. */
    public List<ApiToken> list() {
        List<ApiToken> out = new ArrayList<>();
        for (ApiToken t : tokens.values()) {
            Instant used = lastUsed.get(t.id());
            out.add(used == null ? t : t.withLastUsed(used));
        }
        out.sort(Comparator.comparing(ApiToken::createdAt).thenComparing(ApiToken::id));
        return out;
    }

    public ApiToken get(String id) {
        ApiToken t = tokens.get(id);
        if (t == null) {
            return null;
        }
        Instant used = lastUsed.get(id);
        return used == null ? t : t.withLastUsed(used);
    }

    /**
     * Creates a token and writes the file.
     *
     * @param lifetime until expiry
     * @param source   accepted only from this network, or {@code null}
     */
    public Issued create(List<String> roles, Duration lifetime, Cidr source, String description,
                                      String createdBy) throws IOException {
        String id = randomId();
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        ApiToken token = new ApiToken(id, sha256Hex(secretText), roles, description, createdBy, now,
                now.plus(lifetime), source, null);
        synchronized (this) {
            update(current -> {
                if (current.size() >= MAX_TOKENS) {
                    throw new IOException("there are already " + MAX_TOKENS + " tokens; revoke some first");
                }
                current.put(id, token);
            });
        }
        SharedTable table = shared;
        if (table != null) {
            table.put(id, encode(token), token.expiresAt());
        }
        return new Issued(token, PREFIX + id + "_" + secretText);
    }

    /** Removes a token; {@code false} when there is none with that id. */
    public boolean revoke(String id) throws IOException {
        boolean[] removed = {false};
        synchronized (this) {
            update(current -> removed[0] = current.remove(id) != null);
        }
        lastUsed.remove(id);
        SharedTable table = shared;
        if (table != null && removed[0]) {
            table.remove(id);
        }
        return removed[0];
    }

    /**
     * Shares the tokens with the other nodes of a cluster through {@code table}. When the table already has tokens
     * (the cluster ran before this node joined) they replace this node's; otherwise this node's tokens go into it.
     */
    public void share(SharedTable table) throws IOException {
        table.listen(this::changedElsewhere);
        Map<String, byte[]> there = table.entries();
        if (there.isEmpty()) {
            publish(table, false);
        } else {
            Map<String, ApiToken> theirs = new LinkedHashMap<>();
            for (byte[] value : there.values()) {
                ApiToken t = decode(value);
                if (t != null) {
                    theirs.put(t.id(), t);
                }
            }
            synchronized (this) {
                update(current -> {
                    current.clear();
                    current.putAll(theirs);
                });
            }
            LOG.info("API tokens: {} token(s) taken from the cluster", theirs.size());
        }
        shared = table;
    }

    /** Puts this node's tokens into the table; {@code exact}: also removes what the table has beyond them. */
    private void publish(SharedTable table, boolean exact) {
        Instant now = clock.instant();
        Map<String, ApiToken> mine = tokens;
        for (ApiToken t : mine.values()) {
            if (!t.expired(now) && table.get(t.id()) == null) {
                table.put(t.id(), encode(t), t.expiresAt());
            }
        }
        if (exact) {
            for (String id : table.entries().keySet()) {
                if (!mine.containsKey(id)) {
                    table.remove(id);
                }
            }
        }
    }

    /** Another node created ({@code value}) or revoked ({@code null}) token {@code id}. */
    private synchronized void changedElsewhere(String id, byte[] value) {
        ApiToken token = value == null ? null : decode(value);
        try {
            if (token == null) {
                if (tokens.containsKey(id)) {
                    update(current -> current.remove(id));
                    lastUsed.remove(id);
                    LOG.info("API token {} revoked or expired on another node of the cluster", id);
                }
            } else if (!tokens.containsKey(id)) {
                update(current -> current.put(id, token));
                LOG.info("API token {} created on another node of the cluster", id);
            }
        } catch (IOException e) {
            LOG.error("API token {} changed on another node but could not be written to {}: {}", id, file.path(),
                    e.getMessage());
        }
    }

    private static byte[] encode(ApiToken t) {
        try {
            return JSON.writeValueAsBytes(node(t.withLastUsed(null)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ApiToken decode(byte[] value) {
        try {
            return token(JSON.readTree(value));
        } catch (IOException | RuntimeException e) {
            LOG.error("an API token shared by another node cannot be read and is ignored: {}", e.getMessage());
            return null;
        }
    }

    /** Checks a presented bearer token ({@code rmp_...}) from {@code from}. */
    public Verification verify(String presented, InetAddress from) {
        java.util.regex.Matcher m = TOKEN.matcher(presented);
        if (!m.matches()) {
            return new Refused(null, "malformed API token");
        }
        String id = m.group(1);
        ApiToken token = tokens.get(id);
        byte[] expected = token == null ? new byte[32] : HexFormat.of().parseHex(token.secretHash());
        byte[] actual = sha256(m.group(2));
        boolean match = MessageDigest.isEqual(expected, actual);
        if (token == null || !match) {
            return new Refused(id, token == null ? "unknown or revoked API token" : "wrong API token secret");
        }
        Instant now = clock.instant();
        if (token.expired(now)) {
            return new Refused(id, "API token expired at " + token.expiresAt());
        }
        if (token.source() != null && !token.source().contains(from)) {
            return new Refused(id, "API token used from " + (from == null ? "an unknown address" : from.getHostAddress())
                    + ", outside its source network " + token.source());
        }
        lastUsed.put(id, now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        return new Valid(token);
    }

    /** Writes the last-used times gathered since the previous flush. */
    public synchronized void flushLastUsed() {
        if (lastUsed.isEmpty()) {
            return;
        }
        Map<String, Instant> pending = new LinkedHashMap<>(lastUsed);
        try {
            update(current -> pending.forEach((id, when) -> current.computeIfPresent(id, (k, t) ->
                    t.lastUsedAt() != null && !when.isAfter(t.lastUsedAt()) ? t : t.withLastUsed(when))));
            pending.forEach(lastUsed::remove);
        } catch (IOException e) {
            LOG.warn("API tokens: last-used times not written to {}: {}", file.path(), e.getMessage());
        }
    }

    private interface Change {
        void apply(Map<String, ApiToken> tokens) throws IOException;
    }

    /** Read-modify-write under the file lock, starting from the file's current content. */
    private void update(Change change) throws IOException {
        file.locked(() -> {
            byte[] content = file.read();
            Map<String, ApiToken> current = new LinkedHashMap<>(parse(content));
            change.apply(current);
            byte[] updated = render(current.values());
            file.write(updated);
            tokens = Map.copyOf(current);
            digest = StateFile.digest(updated);
            return null;
        });
    }

    private Map<String, ApiToken> parse(byte[] content) throws IOException {
        if (content == null || content.length == 0) {
            return Map.of();
        }
        String where = file.path().toString();
        JsonNode root;
        try {
            root = JSON.readTree(content);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(where + ": not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode list = root == null ? null : root.get("tokens");
        if (list == null || !list.isArray()) {
            throw new IOException(where + ": expected an object with a 'tokens' list");
        }
        Map<String, ApiToken> out = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode n = list.get(i);
            try {
                ApiToken t = token(n);
                out.put(t.id(), t);
            } catch (IllegalArgumentException | DateTimeParseException | NullPointerException e) {
                throw new IOException(where + ": tokens[" + i + "]: " + e.getMessage());
            }
        }
        return out;
    }

    private static ApiToken token(JsonNode n) {
        List<String> roles = new ArrayList<>();
        n.path("roles").forEach(r -> roles.add(r.asText()));
        String source = text(n, "source");
        String lastUsedAt = text(n, "lastUsedAt");
        ApiToken t = new ApiToken(required(n, "id"), required(n, "secretSha256"), roles, text(n, "description"),
                text(n, "createdBy"), Instant.parse(required(n, "createdAt")),
                Instant.parse(required(n, "expiresAt")), source == null ? null : Cidr.parse(source),
                lastUsedAt == null ? null : Instant.parse(lastUsedAt));
        if (t.secretHash().length() != 64) {
            throw new IllegalArgumentException("secretSha256 must be 64 hex digits");
        }
        return t;
    }

    private static String required(JsonNode n, String key) {
        String v = text(n, key);
        if (v == null) {
            throw new IllegalArgumentException("'" + key + "' is missing");
        }
        return v;
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static byte[] render(java.util.Collection<ApiToken> tokens) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("tokens");
        for (ApiToken t : tokens) {
            list.add(node(t));
        }
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    }

    private static ObjectNode node(ApiToken t) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", t.id());
        n.put("secretSha256", t.secretHash());
        ArrayNode roles = n.putArray("roles");
        t.roles().forEach(roles::add);
        n.put("description", t.description());
        n.put("createdBy", t.createdBy());
        n.put("createdAt", t.createdAt().toString());
        n.put("expiresAt", t.expiresAt().toString());
        n.put("source", t.source() == null ? null : t.source().toString());
        n.put("lastUsedAt", t.lastUsedAt() == null ? null : t.lastUsedAt().toString());
        return n;
    }

    private static String randomId() {
        byte[] bytes = new byte[10];
        RANDOM.nextBytes(bytes);
        String base32 = new java.math.BigInteger(1, bytes).toString(36);
        String padded = "0".repeat(16) + base32;
        return padded.substring(padded.length() - 16);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256Hex(String text) {
        return HexFormat.of().formatHex(sha256(text));
    }

    /** Whether {@code text} has the shape of an API token (cheap, before any lookup). */
    public static boolean looksLikeToken(String text) {
        return text.startsWith(PREFIX);
    }
}
