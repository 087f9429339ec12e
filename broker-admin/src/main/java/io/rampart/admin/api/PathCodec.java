package io.rampart.admin.api;

import io.rampart.core.topic.Topics;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Path parameters: percent-decoded exactly once ({@code %2F} becomes {@code /}, which in a topic is a level
 * separator; {@code %252F} stays the text {@code %2F}), strict UTF-8, {@code +} kept as is, never normalized (a
 * level {@code ..} is just a topic level named {@code ..}, it never walks anywhere).
 */
public final class PathCodec {

    private PathCodec() {
    }

    /** @throws ApiException 400 on a malformed escape or invalid UTF-8 */
    public static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    throw ApiException.badRequest("malformed percent-encoding in the path");
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw ApiException.badRequest("malformed percent-encoding in the path");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("the path is not valid UTF-8 after percent-decoding");
        }
    }

    /** One path segment percent-encoded (UTF-8; all but the unreserved characters), for {@code Location}. */
    public static String encode(String segment) {
        StringBuilder out = new StringBuilder(segment.length());
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
                    || c == '.' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /**
     * A topic name from the path: decoded once, then checked like a PUBLISH topic (no {@code +} or {@code #}, no
     * NUL, not empty).
     */
    public static String topic(String raw, int maxLength, int maxLevels) {
        String topic = decode(raw);
        String problem = Topics.validateTopicName(topic, maxLength, maxLevels);
        if (problem != null) {
            throw ApiException.badRequest("not a topic name: " + problem);
        }
        return topic;
    }

    /** A client id from the path: decoded once; no NUL, not empty. */
    public static String clientId(String raw) {
        String id = decode(raw);
        if (id.isEmpty() || id.indexOf('\0') >= 0) {
            throw ApiException.badRequest("not a client identifier: empty or containing NUL");
        }
        return id;
    }
}
