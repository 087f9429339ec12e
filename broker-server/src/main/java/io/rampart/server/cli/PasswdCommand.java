package io.rampart.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.rampart.security.hash.HashAlgorithm;
import io.rampart.security.hash.PasswordHasher;
import io.rampart.security.realm.file.AtomicFiles;
import io.rampart.security.realm.file.FileRealm;
import io.rampart.security.realm.file.FileRealmException;
import io.rampart.server.cli.HashCommand.CliError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code rampart passwd [--algorithm ...] [--delete] [--roles r1,r2] [--keep-password] FILE USERNAME}: adds a
 * user to a file-realm YAML file, changes its password (and roles), changes only the roles of an existing user
 * ({@code --keep-password}), or deletes it. The file is created when missing, validated as the broker would
 * before it is written, and replaced atomically, so a running broker reloads either the old or the new version,
 * never half a file. Problems of the file itself are reported at their line and column in FILE.
 *
 * <p>The file is edited as a YAML tree and rewritten: every user, role and setting is kept, and so is the
 * comment block at the top of the file, but comments further down are not (a note on stderr says so).
 */
@Command(name = "passwd", exitCodeOnInvalidInput = 1,
        description = {"Adds or updates a user of a file realm (prompting for the password), changes only the "
                + "roles of an existing user (--roles with --keep-password), or deletes it.",
                "On a terminal the password is asked twice without echo; otherwise one line is read from "
                        + "standard input, e.g.  printf 'secret\\n' | rampart passwd config/users.yaml sensor-1",
                "The comment block at the top of FILE is kept; other comments are not."})
public final class PasswdCommand implements Callable<Integer> {


    @Option(names = "--algorithm", paramLabel = "ALGORITHM",
            description = "pbkdf2 (default), bcrypt or argon2id")
    String algorithm = HashAlgorithm.PBKDF2_SHA512.cliName();

    @Option(names = "--delete", description = "Remove the user instead of setting a password.")
    boolean delete;

    @Option(names = "--roles", split = ",", paramLabel = "ROLE",
            description = "Set the user's roles (comma-separated; they must be defined in FILE). "
                    + "Without this option an existing user keeps its roles. --roles= clears them.")
    List<String> roles;

    @Option(names = "--keep-password",
            description = "Change only the roles (--roles) of an existing user; no password is asked for and "
                    + "the stored one is kept.")
    boolean keepPassword;

    @Parameters(index = "0", paramLabel = "FILE", description = "The realm file (created when missing).")
    Path file;

    @Parameters(index = "1", paramLabel = "USERNAME", description = "The user to add, update or delete.")
    String username;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    public PasswdCommand() {
    }

    @Override
    public Integer call() {
        try {
            return run();
        } catch (CliError e) {
            return HashCommand.fail(spec, e.getMessage());
        }
    }

    private int run() throws CliError {
        checkUsername(username);
        HashAlgorithm alg = HashCommand.algorithm(algorithm);
        if (delete && roles != null) {
            throw new CliError("--delete cannot be combined with --roles");
        }
        if (keepPassword) {
            if (delete) {
                throw new CliError("--delete cannot be combined with --keep-password");
            }
            if (roles == null) {
                throw new CliError("--keep-password changes only the roles: give them with --roles (--roles= clears them)");
            }
            if (spec.commandLine().getParseResult().hasMatchedOption("--algorithm")) {
                throw new CliError("--algorithm cannot be combined with --keep-password (no password is hashed)");
            }
        }
        Path target = resolve(file);
        byte[] original = read(target);
        String text = original == null ? "" : new String(original, StandardCharsets.UTF_8);
        ObjectNode root = parseTree(text);
        FileRealmException inputProblem = original == null ? null : problemOf(original);
        ArrayNode users = usersOf(root);
        int index = indexOf(users, username);

        String done;
        if (delete) {
            if (index < 0) {
                throw new CliError("no user '" + username + "' in " + file);
            }
            users.remove(index);
            done = "deleted user '" + username + "' from " + file;
        } else {
            ObjectNode user;
            if (keepPassword) {
                if (index < 0) {
                    throw new CliError("no user '" + username + "' in " + file + "; a new user needs a password"
                            + " (leave out --keep-password)");
                }
                user = (ObjectNode) users.get(index);
                done = "updated the roles of user '" + username + "' in " + file;
            } else {
                String hash = hashNewPassword(alg);
                if (index >= 0) {
                    user = (ObjectNode) users.get(index);
                    done = "updated user '" + username + "' in " + file;
                } else {
                    user = users.addObject();
                    user.put("username", username);
                    done = "added user '" + username + "' to " + file;
                }
                user.put("password", hash);
            }
            if (roles != null) {
                List<String> cleaned = roles.stream().map(String::trim).filter(r -> !r.isEmpty()).distinct().toList();
                if (cleaned.isEmpty()) {
                    user.remove("roles");
                } else {
                    ArrayNode roleArray = JsonNodeFactory.instance.arrayNode();
                    cleaned.forEach(roleArray::add);
                    user.set("roles", roleArray);
                }
            }
        }

        String header = headerComments(text);
        byte[] updated = (header + dump(root)).getBytes(StandardCharsets.UTF_8);
        try {
            // Plaintext entries other users may have are the broker's decision, not this command's.
            FileRealm.validate(file.toString(), updated, true);
        } catch (FileRealmException e) {
            if (inputProblem != null) {
                throw new CliError("not written, " + file + " is invalid: " + inputProblem.getMessage());
            }
            // Caused by this change: a line and column would point into the rewritten text, not into FILE.
            throw new CliError("not written, the result would be invalid: "
                    + new FileRealmException(e.file(), 0, 0, e.keyPath(), e.reason()).getMessage());
        }
        write(target, updated);
        if (hasCommentsBelowHeader(text, header)) {
            spec.commandLine().getErr().println("rampart passwd: note: comments below the top comment block of "
                    + file + " were not kept");
        }
        spec.commandLine().getOut().println(done);
        spec.commandLine().getOut().flush();
        return 0;
    }

    private static String hashNewPassword(HashAlgorithm alg) throws CliError {
        char[] password = HashCommand.readNewPassword();
        try {
            return new PasswordHasher().hash(password, alg);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /**
     * Why FILE as it is now would be refused, with its own line and column, or {@code null}. A problem the change
     * repairs (a broken entry replaced or deleted) does not stop the command.
     */
    private FileRealmException problemOf(byte[] original) {
        try {
            FileRealm.validate(file.toString(), original, true);
            return null;
        } catch (FileRealmException e) {
            return e;
        }
    }

    private static void checkUsername(String name) throws CliError {
        if (name.isEmpty()) {
            throw new CliError("empty user name");
        }
        if (!name.strip().equals(name)) {
            throw new CliError("a user name may not start or end with white space");
        }
        if (name.chars().anyMatch(Character::isISOControl)) {
            throw new CliError("a user name may not contain control characters");
        }
    }

    /** Follows a symbolic link so the link stays and its target is replaced. */
    private static Path resolve(Path file) throws CliError {
        try {
            return Files.exists(file) ? file.toRealPath() : file.toAbsolutePath();
        } catch (IOException e) {
            throw new CliError("cannot resolve " + file + ": " + e.getMessage());
        }
    }

    private byte[] read(Path target) throws CliError {
        if (!Files.exists(target)) {
            Path dir = target.getParent();
            if (dir == null || !Files.isDirectory(dir)) {
                throw new CliError("directory of " + file + " does not exist");
            }
            return null;
        }
        try {
            return Files.readAllBytes(target);
        } catch (IOException e) {
            throw new CliError("cannot read " + file + ": " + e.getMessage());
        }
    }

    private ObjectNode parseTree(String text) throws CliError {
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(text);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new CliError(file + ":" + line + ": invalid YAML: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!root.isObject()) {
            throw new CliError(file + ": expected a mapping with 'users' and 'roles' at the top");
        }
        return (ObjectNode) root;
    }

    private ArrayNode usersOf(ObjectNode root) throws CliError {
        JsonNode users = root.get("users");
        if (users == null || users.isNull()) {
            ObjectNode reordered = JsonNodeFactory.instance.objectNode();
            ArrayNode created = reordered.putArray("users");
            root.properties().forEach(e -> {
                if (!e.getKey().equals("users")) {
                    reordered.set(e.getKey(), e.getValue());
                }
            });
            root.removeAll();
            root.setAll(reordered);
            return created;
        }
        if (!users.isArray()) {
            throw new CliError(file + ": users: expected a list");
        }
        return (ArrayNode) users;
    }

    private static int indexOf(ArrayNode users, String name) {
        for (int i = 0; i < users.size(); i++) {
            JsonNode n = users.get(i).get("username");
            if (users.get(i).isObject() && n != null && n.isValueNode() && name.equals(n.asText())) {
                return i;
            }
        }
        return -1;
    }

    private static String dump(ObjectNode root) throws CliError {
        YAMLFactory factory = YAMLFactory.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
                .build();
        try {
            return new YAMLMapper(factory).writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new CliError("cannot write YAML: " + e.getOriginalMessage());
        }
    }

    /** The leading lines that are comments or blank, kept verbatim. */
    static String headerComments(String text) {
        StringBuilder header = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String stripped = line.strip();
            if (!stripped.isEmpty() && !stripped.startsWith("#")) {
                break;
            }
            header.append(line).append('\n');
        }
        String h = header.toString().stripTrailing();
        return h.isEmpty() ? "" : h + "\n\n";
    }

    private static boolean hasCommentsBelowHeader(String text, String header) {
        int headerLines = (int) header.stripTrailing().lines().count();
        return text.lines().skip(headerLines).anyMatch(l -> l.strip().startsWith("#"));
    }

    /** Temporary file in the same directory, flushed, then renamed over the target. */
    private void write(Path target, byte[] content) throws CliError {
        try {
            AtomicFiles.replace(target, content, null);
        } catch (IOException e) {
            throw new CliError("cannot write " + file + ": " + e.getMessage());
        }
    }
}
