package io.rampart.security.realm.file;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Sets one user's password hash in a file-realm YAML file from a running broker (the admin plane's first-run user
 * and password changes). The file is edited as a YAML tree: every user, role and setting is kept, and so is the
 * comment block at its top; the result is validated as the realm would before it replaces the file atomically
 * (new files are readable by the owner only).
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
        ObjectNode root = parse(text, file);
        ArrayNode users = array(root, "users");
        ObjectNode user = null;
        for (JsonNode u : users) {
            if (u.isObject() && username.equals(u.path("username").asText(null))) {
                user = (ObjectNode) u;
            }
        }
        if (user == null) {
            user = users.addObject();
            user.put("username", username);
        }
        user.put("password", passwordHash);
        if (roles != null) {
            ArrayNode list = user.putArray("roles");
            roles.forEach(list::add);
            ArrayNode defined = array(root, "roles");
            for (String role : roles) {
                boolean known = false;
                for (JsonNode r : defined) {
                    known |= role.equals(r.path("name").asText(null));
                }
                if (!known) {
                    defined.addObject().put("name", role);
                }
            }
        }
        String keptHeader = text.isEmpty() ? header : headerComments(text);
        byte[] updated = (keptHeader + dump(root)).getBytes(StandardCharsets.UTF_8);
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

    private static ArrayNode array(ObjectNode root, String key) throws IOException {
        JsonNode node = root.get(key);
        if (node == null || node.isNull()) {
            return root.putArray(key);
        }
        if (!node.isArray()) {
            throw new IOException(key + ": expected a list");
        }
        return (ArrayNode) node;
    }

    private static String dump(ObjectNode root) throws IOException {
        YAMLFactory factory = YAMLFactory.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
                .build();
        return new YAMLMapper(factory).writeValueAsString(root);
    }

    private static String headerComments(String text) {
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

    private static void write(Path target, byte[] content) throws IOException {
        Path real = Files.exists(target) ? target.toRealPath() : target.toAbsolutePath();
        Files.createDirectories(real.getParent());
        AtomicFiles.replace(real, content, null);
    }
}
