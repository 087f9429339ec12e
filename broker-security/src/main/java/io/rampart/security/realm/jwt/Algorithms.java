package io.rampart.security.realm.jwt;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The JWS algorithms a JWT realm can accept, by family. {@code none} is never one of them. */
final class Algorithms {

    static final List<String> HMAC = List.of("HS256", "HS384", "HS512");
    static final List<String> RSA = List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512");
    static final List<String> EC = List.of("ES256", "ES384", "ES512");
    static final List<String> EDDSA = List.of("EdDSA", "Ed25519");

    private Algorithms() {
    }

    static Set<String> defaults(boolean publicKeys, boolean secrets) {
        Set<String> out = new LinkedHashSet<>();
        if (publicKeys) {
            out.addAll(RSA);
            out.addAll(EC);
            out.addAll(EDDSA);
        }
        if (secrets) {
            out.addAll(HMAC);
        }
        return out;
    }

    static void requireSupported(String alg) {
        if (!isHmac(alg) && !isRsa(alg) && !isEc(alg) && !isEdDsa(alg)) {
            throw new IllegalArgumentException("algorithms: '" + alg + "' is not supported (supported: "
                    + String.join(", ", HMAC) + ", " + String.join(", ", RSA) + ", " + String.join(", ", EC) + ", "
                    + String.join(", ", EDDSA) + "; 'none' is never accepted)");
        }
    }

    static boolean isHmac(String alg) {
        return HMAC.contains(alg);
    }

    static boolean isRsa(String alg) {
        return RSA.contains(alg);
    }

    static boolean isEc(String alg) {
        return EC.contains(alg);
    }

    static boolean isEdDsa(String alg) {
        return EDDSA.contains(alg);
    }

    /** The minimum HMAC key length for an HS algorithm, in bytes. */
    static int hmacKeyBytes(String alg) {
        return switch (alg) {
            case "HS384" -> 48;
            case "HS512" -> 64;
            default -> 32;
        };
    }

    /** The JWK curve name an ES algorithm requires. */
    static String curveOf(String alg) {
        return switch (alg) {
            case "ES256" -> "P-256";
            case "ES384" -> "P-384";
            case "ES512" -> "P-521";
            default -> null;
        };
    }
}
