package io.rampart.admin.store;

import io.rampart.security.realm.file.AtomicFiles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;

/**
 * A small state file of the admin plane in the data directory (tokens, bans): read whole, replaced atomically
 * (temporary file, flushed, renamed), readable by the owner only ({@code 0600}, its directory {@code 0700}).
 * Writers on both sides (the broker and the {@code rampart} command line) serialize through an exclusive lock on
 * a {@code .lock} file beside it.
 */
public final class StateFile {

    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    private static final long MAX_BYTES = 16L * 1024 * 1024;

    private final Path file;

    public StateFile(Path file) {
        this.file = file.toAbsolutePath().normalize();
    }

    public Path path() {
        return file;
    }

    /** The content, or {@code null} when the file does not exist. */
    public byte[] read() throws IOException {
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new IOException(file + " is larger than " + MAX_BYTES + " bytes");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Replaces the content atomically; creates the directory ({@code 0700}) when missing. */
    public void write(byte[] content) throws IOException {
        createDirectory(file.getParent());
        AtomicFiles.replace(file, content, OWNER_FILE);
    }

    /** Runs {@code action} holding the file's lock (other processes wait). */
    public <T> T locked(IoAction<T> action) throws IOException {
        createDirectory(file.getParent());
        Path lock = file.resolveSibling(file.getFileName() + ".lock");
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock held = channel.lock();
            try {
                return action.run();
            } finally {
                held.release();
            }
        }
    }

    /** SHA-256 of the content, to notice changes made by another process. */
    public static byte[] digest(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content == null ? new byte[0] : content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void createDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
            } else {
                Files.createDirectories(dir);
            }
        } catch (FileAlreadyExistsException e) {
            // created meanwhile by another process
        }
    }

    /** Work done under the lock. */
    @FunctionalInterface
    public interface IoAction<T> {
        T run() throws IOException;
    }
}
