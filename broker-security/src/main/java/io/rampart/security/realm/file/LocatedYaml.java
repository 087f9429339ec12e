package io.rampart.security.realm.file;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document read into a small tree that remembers where each node starts (Jackson's {@code JsonNode}
 * forgets it), so that validation errors can name the line and column. Duplicate keys are refused here.
 */
final class LocatedYaml {

    private static final YAMLFactory FACTORY = YAMLFactory.builder().build();

    private LocatedYaml() {
    }

    record Position(int line, int column) {
        static Position of(JsonLocation location) {
            return location == null ? new Position(0, 0) : new Position(location.getLineNr(), location.getColumnNr());
        }
    }

    sealed interface Node permits MapNode, ListNode, Scalar {
        Position position();

        /** Human-readable kind, for "expected a list, found a string". */
        String kind();
    }

    record Entry(Position keyPosition, Node value) {
    }

    record MapNode(Position position, Map<String, Entry> entries) implements Node {
        @Override
        public String kind() {
            return "a mapping";
        }
    }

    record ListNode(Position position, List<Node> items) implements Node {
        @Override
        public String kind() {
            return "a list";
        }
    }

    /** A scalar with its token kind: string, number, boolean or null. */
    record Scalar(Position position, JsonToken token, String text) implements Node {
        boolean isNull() {
            return token == JsonToken.VALUE_NULL;
        }

        boolean isString() {
            return token == JsonToken.VALUE_STRING;
        }

        boolean isBoolean() {
            return token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE;
        }

        boolean isInteger() {
            return token == JsonToken.VALUE_NUMBER_INT;
        }

        @Override
        public String kind() {
            return switch (token) {
                case VALUE_NULL -> "nothing (null)";
                case VALUE_TRUE, VALUE_FALSE -> "a boolean";
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
                default -> "a string";
            };
        }
    }

    /** Thrown for YAML syntax errors and duplicate keys. */
    static final class SyntaxException extends Exception {
        private static final long serialVersionUID = 1L;
        final transient Position position;
        final String keyPath;

        SyntaxException(Position position, String keyPath, String message) {
            super(message);
            this.position = position;
            this.keyPath = keyPath;
        }
    }

    /** Reads the first (only) document; {@code null} when the document is empty (only comments). */
    static Node read(byte[] content) throws SyntaxException {
        try (JsonParser parser = FACTORY.createParser(content)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return null;
            }
            Node root = readValue(parser, "");
            if (parser.nextToken() != null) {
                throw new SyntaxException(Position.of(parser.currentTokenLocation()), "",
                        "only one YAML document is allowed");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new SyntaxException(Position.of(e.getLocation()), "", "invalid YAML: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new SyntaxException(new Position(0, 0), "", "cannot read: " + e.getMessage());
        }
    }

    private static Node readValue(JsonParser parser, String path) throws IOException, SyntaxException {
        JsonToken token = parser.currentToken();
        Position position = Position.of(parser.currentTokenLocation());
        switch (token) {
            case START_OBJECT -> {
                Map<String, Entry> entries = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    Position keyPosition = Position.of(parser.currentTokenLocation());
                    String childPath = path.isEmpty() ? key : path + "." + key;
                    parser.nextToken();
                    Node value = readValue(parser, childPath);
                    if (entries.putIfAbsent(key, new Entry(keyPosition, value)) != null) {
                        throw new SyntaxException(keyPosition, childPath, "duplicate key '" + key + "'");
                    }
                }
                return new MapNode(position, Collections.unmodifiableMap(entries));
            }
            case START_ARRAY -> {
                List<Node> items = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    items.add(readValue(parser, path + "[" + items.size() + "]"));
                }
                return new ListNode(position, List.copyOf(items));
            }
            case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE, VALUE_NULL ->
                    {
                        return new Scalar(position, token, token == JsonToken.VALUE_NULL ? null : parser.getText());
                    }
            default -> throw new SyntaxException(position, path, "unsupported YAML value (" + token + ")");
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "syntax error";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).trim();
    }
}
