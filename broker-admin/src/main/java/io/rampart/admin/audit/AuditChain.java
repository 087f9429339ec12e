package io.rampart.admin.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hash chain of the audit log. Every line ends with {@code prev} (the hash of the line before it; 64 zeros for
 * the first line ever) and {@code hash} (SHA-256 of the line up to and including {@code prev}). Changing a line
 * breaks its own hash; removing, inserting or reordering lines breaks the {@code prev} link of the line after.
 * Works for both formats: {@code ... prev=<hex> hash=<hex>} and {@code {..., "prev":"<hex>","hash":"<hex>"}}.
 */
public final class AuditChain {

    public static final String GENESIS = "0".repeat(64);
    private static final Pattern PLAIN_PREV = Pattern.compile(" prev=([0-9a-f]{64})$");
    private static final Pattern JSON_PREV = Pattern.compile(",\"prev\":\"([0-9a-f]{64})\"$");
    private static final String PLAIN_HASH = " hash=";
    private static final String JSON_HASH = ",\"hash\":\"";

    private AuditChain() {
    }

    /** A line split into its parts; {@code null} fields when the line is not a chained audit line. */
    record Parsed(String body, String prev, String hash) {
    }

    /** The line for {@code body} (which ends with its {@code prev}), plain or JSON. */
    static String seal(String body, boolean json) {
        String hash = sha256(body);
        return json ? body + JSON_HASH + hash + "\"}" : body + PLAIN_HASH + hash;
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Parsed parse(String line) {
        String body;
        String hash;
        Pattern prevPattern;
        if (line.startsWith("{") && line.endsWith("\"}")) {
            int at = line.lastIndexOf(JSON_HASH);
            if (at < 0) {
                return null;
            }
            body = line.substring(0, at);
            hash = line.substring(at + JSON_HASH.length(), line.length() - 2);
            prevPattern = JSON_PREV;
        } else {
            int at = line.lastIndexOf(PLAIN_HASH);
            if (at < 0) {
                return null;
            }
            body = line.substring(0, at);
            hash = line.substring(at + PLAIN_HASH.length());
            prevPattern = PLAIN_PREV;
        }
        Matcher m = prevPattern.matcher(body);
        if (!m.find() || !hash.matches("[0-9a-f]{64}")) {
            return null;
        }
        return new Parsed(body, m.group(1), hash);
    }

    /** The hash a line carries (what the next line's {@code prev} must be), or {@code null}. */
    static String hashOf(String line) {
        Parsed p = parse(line);
        return p == null ? null : p.hash();
    }

    /**
     * The result of checking a chain.
     *
     * @param intact      whether every line is unchanged and in place
     * @param lines       lines checked
     * @param brokenLine  1-based number of the first line where the chain breaks, or 0
     * @param reason      why it breaks there, or a note on where the chain starts
     */
    public record Verdict(boolean intact, int lines, int brokenLine, String reason) {
    }

    /** Checks the lines of one file, in order. */
    public static Verdict verify(List<String> lines) {
        String expectedPrev = null;
        String start = "starts a new chain";
        int count = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int n = i + 1;
            if (line.isEmpty() && i == lines.size() - 1) {
                break;
            }
            count++;
            Parsed p = parse(line);
            if (p == null) {
                return new Verdict(false, count, n, "line " + n + " is not a chained audit line (its prev or hash is"
                        + " missing or malformed)");
            }
            if (!sha256(p.body()).equals(p.hash())) {
                return new Verdict(false, count, n, "line " + n + " was modified: its hash does not match its content");
            }
            if (expectedPrev == null) {
                if (!p.prev().equals(GENESIS)) {
                    start = "continues a chain from an earlier file (line 1 follows a line with hash " + p.prev() + ")";
                }
            } else if (!p.prev().equals(expectedPrev)) {
                return new Verdict(false, count, n, "line " + n + " does not follow line " + (n - 1)
                        + ": lines were removed, inserted or reordered between them");
            }
            expectedPrev = p.hash();
        }
        return new Verdict(true, count, 0, start);
    }
}
