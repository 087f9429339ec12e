package io.rampart.security.realm.file;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Changes a file-realm YAML file from a running broker: the admin plane's first-run user, password changes and the
 * realm administration of the admin API. Only the entries that change are written again; every other user and role,
 * the comments and the blank lines stay as they are (see {@link RealmFileDocument}). The result is validated as the
 * realm would validate it before it replaces the file atomically (new files are readable by the owner only).
 */
public final class UsersFileEditor {

    private UsersFileEditor() {
    }

    /** Whether {@code file} exists and defines at least one user. */
    public static boolean hasUsers(Path file) throws IOException {
        if (!Files.exists(file)) {
            return false;
        }
        JsonNode root = parse(Files.readString(file, StandardCharsets.UTF_8), file);
        JsonNode users = root.get("users");
        return users != null && users.isArray() && !users.isEmpty();
    }

    /**
     * Adds the user or replaces its password hash.
     *
     * @param header comment block for a new file (lines starting with {@code #}), or empty
     * @param roles  when not {@code null}, the user's roles; roles the file does not define are added to it
     *               without permissions
     * @throws IOException when the file cannot be read or written, or the result would not be a valid realm file
     */
    public static void setPassword(Path file, String username, String passwordHash, List<String> roles, String header)
            throws IOException {
        String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        RealmFileDocument doc = new RealmFileDocument(text.isEmpty() ? header : text);
        ObjectNode user = doc.entry("users", "username", username);
        if (user == null) {
            user = JsonNodeFactory.instance.objectNode().put("username", username);
        }
        user.put("password", passwordHash);
        if (roles != null) {
            ArrayNode list = user.putArray("roles");
            roles.forEach(list::add);
            for (String role : roles) {
                if (doc.entry("roles", "name", role) == null) {
                    doc.put("roles", "name", role, JsonNodeFactory.instance.objectNode().put("name", role));
                }
            }
        }
        doc.put("users", "username", username, user);
        byte[] updated = doc.bytes();
        try {
            FileRealm.validate(file.toString(), updated, true);
        } catch (FileRealmException e) {
            throw new IOException("not written, the result would be invalid: " + e.getMessage(), e);
        }
        write(file, updated);
    }

    private static ObjectNode parse(String text, Path file) throws IOException {
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": invalid YAML: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!root.isObject()) {
            throw new IOException(file + ": expected a mapping with 'users' and 'roles' at the top");
        }
        return (ObjectNode) root;
    }

    /** Replaces {@code target} atomically with {@code content} (a new file is readable by its owner only). */
    static void write(Path target, byte[] content) throws IOException {
        Path real = Files.exists(target) ? target.toRealPath() : target.toAbsolutePath();
        Files.createDirectories(real.getParent());
        AtomicFiles.replace(real, content, null);
    }
}
