package io.rampart.admin.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A JSON request body read strictly: malformed JSON is a 400 naming line and column, duplicate keys are errors,
 * and fields a request does not know are a 400 that names every one of them.
 */
public final class JsonBody {

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final JsonNode root;

    private JsonBody(JsonNode root) {
        this.root = root;
    }

    static JsonBody parse(byte[] body) {
        if (body.length == 0) {
            throw ApiException.badRequest("a JSON object is required as the request body");
        }
        JsonNode root;
        try (JsonParser parser = MAPPER.createParser(body)) {
            root = MAPPER.readTree(parser);
            if (parser.nextToken() != null) {
                throw ApiException.badRequest("malformed JSON" + at(parser.currentTokenLocation())
                        + ": content after the JSON value");
            }
        } catch (JsonProcessingException e) {
            String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().lines().findFirst().orElse("");
            if (message.startsWith("Duplicate field")) {
                message = "duplicate " + message.substring("Duplicate ".length());
            }
            throw ApiException.badRequest("malformed JSON" + at(e.getLocation()) + ": " + message);
        } catch (IOException e) {
            throw ApiException.badRequest("the request body cannot be read as JSON");
        }
        if (root == null || !root.isObject()) {
            throw ApiException.badRequest("the request body must be a JSON object");
        }
        return new JsonBody(root);
    }

    private static String at(JsonLocation location) {
        return location == null || location.getLineNr() < 1 ? ""
                : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /** Refuses fields outside {@code allowed}, naming all of them. */
    public JsonBody allow(Collection<String> allowed) {
        List<String> unknown = new ArrayList<>();
        root.fieldNames().forEachRemaining(name -> {
            if (!allowed.contains(name)) {
                unknown.add(name);
            }
        });
        if (!unknown.isEmpty()) {
            throw new ApiException(400, "unknown field" + (unknown.size() == 1 ? " " : "s ") + String.join(", ", unknown)
                    + " (allowed: " + String.join(", ", allowed) + ")", unknown, null);
        }
        return this;
    }

    /** A string field; {@code null} when absent or null. */
    public String string(String name) {
        JsonNode v = root.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new ApiException(400, "field " + name + " must be a string", List.of(name), null);
        }
        return v.textValue();
    }

    public String requiredString(String name) {
        String v = string(name);
        if (v == null || v.isEmpty()) {
            throw new ApiException(400, "field " + name + " is required", List.of(name), null);
        }
        return v;
    }

    /** A list of strings; empty when absent. */
    public List<String> strings(String name) {
        JsonNode v = root.get(name);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new ApiException(400, "field " + name + " must be a list of strings", List.of(name), null);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw new ApiException(400, "field " + name + " must be a list of strings", List.of(name), null);
            }
            out.add(e.textValue());
        }
        return out;
    }

    /** A field as parsed JSON ({@code null} when absent), for values with a structure of their own. */
    JsonNode node(String name) {
        return root.get(name);
    }

    /** Whether the body has the field (also when it is {@code null}). */
    public boolean has(String name) {
        return root.has(name);
    }

    /** A boolean field; {@code defaultValue} when absent or null. */
    public boolean bool(String name, boolean defaultValue) {
        JsonNode v = root.get(name);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (!v.isBoolean()) {
            throw new ApiException(400, "field " + name + " must be true or false", List.of(name), null);
        }
        return v.booleanValue();
    }

    /** A password field as characters (never kept as a String). */
    public char[] secret(String name) {
        JsonNode v = root.get(name);
        if (v == null || v.isNull() || !v.isTextual() || v.textValue().isEmpty()) {
            throw new ApiException(400, "field " + name + " is required", List.of(name), null);
        }
        return v.textValue().toCharArray();
    }

    /** A whole-number field or a string such as {@code "4MB"}, as text; {@code null} when absent or null. */
    public String numberOrString(String name) {
        JsonNode v = root.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isIntegralNumber() || v.isTextual()) {
            return v.asText();
        }
        throw new ApiException(400, "field " + name + " must be a number or a string", List.of(name), null);
    }
}
