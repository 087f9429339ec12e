package io.rampart.security.realm.file;

/**
 * An invalid or unreadable realm file. The message is for the operator as is:
 * {@code "<file>:<line>:<column>: <key path>: <reason>"}, e.g.
 * {@code "config/users.yaml:12:16: users[1].permissions[0].topic: invalid topic filter: '#' must be the last level"}.
 * Problems without a position (file unreadable) read {@code "<file>: <reason>"}.
 */
public final class FileRealmException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;
    private final int column;
    private final String keyPath;
    private final String reason;

    /**
     * @param line    1-based, or 0 when unknown
     * @param column  1-based, or 0 when unknown
     * @param keyPath e.g. {@code users[0].password}; empty for the whole file
     */
    public FileRealmException(String file, int line, int column, String keyPath, String reason) {
        super(format(file, line, column, keyPath, reason));
        this.file = file;
        this.line = line;
        this.column = column;
        this.keyPath = keyPath == null ? "" : keyPath;
        this.reason = reason;
    }

    private static String format(String file, int line, int column, String keyPath, String reason) {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) {
            sb.append(':').append(line).append(':').append(column);
        }
        sb.append(": ");
        if (keyPath != null && !keyPath.isEmpty()) {
            sb.append(keyPath).append(": ");
        }
        return sb.append(reason).toString();
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    public String keyPath() {
        return keyPath;
    }

    public String reason() {
        return reason;
    }
}
