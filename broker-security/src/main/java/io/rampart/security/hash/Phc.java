package io.rampart.security.hash;

import java.util.Base64;

/** Helpers for PHC-style strings: Base64 without padding and bounded integer parameters. */
final class Phc {

    private Phc() {
    }

    static String encode(byte[] bytes) {
        return Base64.getEncoder().withoutPadding().encodeToString(bytes);
    }

    static byte[] decode(String text, String what, int minBytes, int maxBytes) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidHashException(what + " is not valid Base64");
        }
        // Only the canonical spelling is accepted, so a hash string has exactly one valid form.
        if (!encode(bytes).equals(text.endsWith("=") ? text.replaceAll("=+$", "") : text)) {
            throw new InvalidHashException(what + " is not canonical Base64");
        }
        if (bytes.length < minBytes || bytes.length > maxBytes) {
            throw new InvalidHashException(what + " must be " + minBytes + " to " + maxBytes + " bytes (was "
                    + bytes.length + ")");
        }
        return bytes;
    }

    static int parseInt(String text, String what, int min, int max) {
        if (text.isEmpty() || text.length() > 10 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidHashException(what + " is not a number");
        }
        long value = Long.parseLong(text);
        if (value < min || value > max) {
            throw new InvalidHashException(what + " must be between " + min + " and " + max + " (was " + value + ")");
        }
        return (int) value;
    }
}
