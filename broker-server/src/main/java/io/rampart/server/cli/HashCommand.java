package io.rampart.server.cli;

import io.rampart.security.hash.HashAlgorithm;
import io.rampart.security.hash.PasswordHasher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * {@code rampart hash [--algorithm pbkdf2|bcrypt|argon2id]}: reads a password (twice, without echo, on a
 * console; one line from standard input otherwise) and prints its encoded hash, for pasting into a realm file
 * or an SQL table.
 */
@Command(name = "hash", exitCodeOnInvalidInput = 1,
        description = {"Reads a password and prints its hash (for realm files and SQL tables).",
                "On a terminal the password is asked twice without echo; otherwise one line is read from "
                        + "standard input, e.g.  printf 'secret\\n' | rampart hash"})
public final class HashCommand implements Callable<Integer> {

    @Option(names = "--algorithm", paramLabel = "ALGORITHM",
            description = "pbkdf2 (default: PBKDF2-HMAC-SHA512, 210000 iterations), bcrypt (cost 12) or "
                    + "argon2id (64 MiB, 3 passes)")
    String algorithm = HashAlgorithm.PBKDF2_SHA512.cliName();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    public HashCommand() {
    }

    @Override
    public Integer call() {
        try {
            HashAlgorithm alg = algorithm(algorithm);
            char[] password = readNewPassword();
            try {
                spec.commandLine().getOut().println(new PasswordHasher().hash(password, alg));
                spec.commandLine().getOut().flush();
            } finally {
                Arrays.fill(password, '\0');
            }
            return 0;
        } catch (CliError e) {
            return fail(spec, e.getMessage());
        }
    }

    /** A mistake of the user: reported as one line on stderr, exit code 1. */
    static final class CliError extends Exception {
        private static final long serialVersionUID = 1L;

        CliError(String message) {
            super(message);
        }
    }

    static int fail(CommandSpec spec, String message) {
        spec.commandLine().getErr().println("rampart " + spec.name() + ": " + message);
        spec.commandLine().getErr().flush();
        return 1;
    }

    static HashAlgorithm algorithm(String name) throws CliError {
        try {
            HashAlgorithm a = HashAlgorithm.fromCliName(name);
            if (a == HashAlgorithm.PLAIN) {
                throw new CliError("plaintext is not a hash algorithm (use pbkdf2, bcrypt or argon2id)");
            }
            return a;
        } catch (IllegalArgumentException e) {
            throw new CliError(e.getMessage());
        }
    }

    /**
     * Reads a new password: on a console twice without echo (they must match), otherwise one line from
     * standard input (so it can be scripted). Empty passwords are refused.
     */
    static char[] readNewPassword() throws CliError {
        Console console = System.console();
        char[] password;
        if (console != null) {
            password = console.readPassword("New password: ");
            if (password == null) {
                throw new CliError("no password given");
            }
            char[] again = console.readPassword("Retype new password: ");
            boolean same = again != null && Arrays.equals(password, again);
            if (again != null) {
                Arrays.fill(again, '\0');
            }
            if (!same) {
                Arrays.fill(password, '\0');
                throw new CliError("the passwords do not match");
            }
        } else {
            password = readLine(System.in);
        }
        if (password.length == 0) {
            throw new CliError("empty password refused");
        }
        return password;
    }

    /** One line of UTF-8 without its line terminator, read byte by byte so nothing beyond it is consumed. */
    static char[] readLine(InputStream in) throws CliError {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean any = false;
        try {
            int b;
            while ((b = in.read()) != -1) {
                any = true;
                if (b == '\n') {
                    break;
                }
                line.write(b);
            }
        } catch (IOException e) {
            throw new CliError("cannot read the password from standard input: " + e.getMessage());
        }
        if (!any) {
            throw new CliError("no password on standard input (pipe one line, e.g. printf 'secret\\n' | rampart ...)");
        }
        byte[] bytes = line.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, length));
            char[] password = new char[chars.remaining()];
            chars.get(password);
            return password;
        } catch (CharacterCodingException e) {
            throw new CliError("the password is not valid UTF-8");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }
}
