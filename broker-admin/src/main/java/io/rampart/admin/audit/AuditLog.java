package io.rampart.admin.audit;

import io.rampart.admin.http.Json;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.appender.RandomAccessFileAppender;
import org.apache.logging.log4j.core.appender.RollingFileAppender;
import org.apache.logging.log4j.core.appender.RollingRandomAccessFileAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the audit log: one line per audited call on the {@code rampart.audit} logger ({@code logs/audit.log} in
 * the shipped Log4j2 configuration, an appender of its own with layout {@code %m%n}). Lines are hash-chained
 * ({@link AuditChain}); at startup the chain continues from the last line of the file the logger writes to, so it
 * survives restarts. Writing is serialized: the order in the file is the order of the chain.
 */
public final class AuditLog {

    public static final String LOGGER = "rampart.audit";
    private static final Logger LOG = LogManager.getLogger(AuditLog.class);
    private static final Logger AUDIT = LogManager.getLogger(LOGGER);
    private static final int MAX_CHANGE_CHARS = 8192;
    private static final int TAIL_BYTES = 256 * 1024;

    private final boolean json;
    private final Path file;
    private String prev;

    private AuditLog(boolean json, Path file, String prev) {
        this.json = json;
        this.file = file;
        this.prev = prev;
    }

    /**
     * Finds the file of the {@code rampart.audit} logger and continues the chain from its last line.
     *
     * @param json JSON lines instead of key=value
     */
    public static AuditLog open(boolean json) {
        Path file = auditFile();
        String prev = AuditChain.GENESIS;
        if (file == null) {
            LOG.warn("the audit log has no file of its own (no '{}' logger with a file appender in the Log4j2"
                    + " configuration): audit lines go to the root logger and GET /api/v1/audit is unavailable;"
                    + " see config/log4j2.xml", LOGGER);
        } else {
            try {
                String last = lastLine(file);
                if (last != null) {
                    String hash = AuditChain.hashOf(last);
                    if (hash == null) {
                        LOG.warn("the last line of the audit log {} is not a chained audit line; the chain starts anew"
                                + " after it ('rampart audit verify' will report the break)", file);
                    } else {
                        prev = hash;
                    }
                }
            } catch (IOException e) {
                LOG.warn("cannot read the audit log {} to continue its hash chain: {}", file, e.getMessage());
            }
        }
        return new AuditLog(json, file, prev);
    }

    /** The file the audit lines go to, or {@code null} when the logger has none of its own. */
    public Path file() {
        return file;
    }

    /** Writes one line. */
    public void record(AuditEvent e) {
        synchronized (this) {
            String body = json ? jsonBody(e, prev) : plainBody(e, prev);
            String line = AuditChain.seal(body, json);
            AUDIT.info(line);
            prev = AuditChain.hashOf(line);
        }
    }

    static String plainBody(AuditEvent e, String prev) {
        StringBuilder b = new StringBuilder(256);
        b.append("time=").append(e.time())
                .append(" actor=").append(quote(e.actor()))
                .append(" method=").append(word(e.method()))
                .append(" token=").append(word(e.tokenId()))
                .append(" address=").append(word(e.address()))
                .append(" action=").append(word(e.action()))
                .append(" target=").append(quote(e.target()))
                .append(" result=").append(word(e.result()))
                .append(" status=").append(e.status())
                .append(" request=").append(word(e.requestId()))
                .append(" detail=").append(quote(e.detail()))
                .append(" before=").append(quote(cap(e.before())))
                .append(" after=").append(quote(cap(e.after())))
                .append(" prev=").append(prev);
        return b.toString();
    }

    static String jsonBody(AuditEvent e, String prev) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"time\":").append(quote(e.time().toString()))
                .append(",\"actor\":").append(quote(e.actor()))
                .append(",\"method\":").append(quote(e.method()))
                .append(",\"token\":").append(quote(e.tokenId()))
                .append(",\"address\":").append(quote(e.address()))
                .append(",\"action\":").append(quote(e.action()))
                .append(",\"target\":").append(quote(e.target()))
                .append(",\"result\":").append(quote(e.result()))
                .append(",\"status\":").append(e.status())
                .append(",\"request\":").append(quote(e.requestId()))
                .append(",\"detail\":").append(quote(e.detail()))
                .append(",\"before\":").append(quote(cap(e.before())))
                .append(",\"after\":").append(quote(cap(e.after())))
                .append(",\"prev\":\"").append(prev).append('"');
        return b.toString();
    }

    private static String cap(String s) {
        return s == null || s.length() <= MAX_CHANGE_CHARS ? s : s.substring(0, MAX_CHANGE_CHARS) + "...(truncated)";
    }

    /** A value without blanks or quotes as is, else {@code -}. */
    private static String word(String s) {
        if (s == null || s.isEmpty()) {
            return "-";
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f) {
                return quote(s);
            }
        }
        return s;
    }

    static String quote(String s) {
        return Json.quote(s);
    }

    /** The file of the first file appender of the {@code rampart.audit} logger itself (not inherited). */
    static Path auditFile() {
        if (!(LogManager.getContext(false) instanceof LoggerContext context)) {
            return null;
        }
        LoggerConfig config = context.getConfiguration().getLoggerConfig(LOGGER);
        if (!LOGGER.equals(config.getName())) {
            return null;
        }
        for (Appender appender : config.getAppenders().values()) {
            String name = null;
            if (appender instanceof FileAppender a) {
                name = a.getFileName();
            } else if (appender instanceof RollingFileAppender a) {
                name = a.getFileName();
            } else if (appender instanceof RandomAccessFileAppender a) {
                name = a.getFileName();
            } else if (appender instanceof RollingRandomAccessFileAppender a) {
                name = a.getFileName();
            }
            if (name != null) {
                return Path.of(name).toAbsolutePath().normalize();
            }
        }
        return null;
    }

    /** The last non-empty line of a file, or {@code null} when it has none (or does not exist). */
    static String lastLine(Path file) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            int read = (int) Math.min(length, TAIL_BYTES);
            byte[] tail = new byte[read];
            raf.seek(length - read);
            raf.readFully(tail);
            String text = new String(tail, StandardCharsets.UTF_8);
            String[] lines = text.split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                if (!lines[i].isBlank()) {
                    if (i == 0 && read < length) {
                        break; // the line starts before the tail: read it whole below
                    }
                    return lines[i];
                }
            }
            if (read == length) {
                return null;
            }
        }
        List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = all.size() - 1; i >= 0; i--) {
            if (!all.get(i).isBlank()) {
                return all.get(i);
            }
        }
        return null;
    }
}
