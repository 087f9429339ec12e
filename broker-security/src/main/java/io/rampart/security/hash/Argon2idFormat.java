package io.rampart.security.hash;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;

/** {@code $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>} via Bouncy Castle's Argon2 generator. */
final class Argon2idFormat implements HashFormat {

    static final String PREFIX = "$argon2id$";
    static final int DEFAULT_MEMORY_KIB = 65_536;
    static final int DEFAULT_ITERATIONS = 3;
    static final int DEFAULT_PARALLELISM = 1;
    static final int MAX_MEMORY_KIB = 1_048_576;
    static final int MAX_ITERATIONS = 1_000;
    static final int MAX_PARALLELISM = 64;
    /** Bounds the total work: memory × passes at most 8 GiB (e.g. 1 GiB × 8 or 64 MiB × 128). */
    static final long MAX_WORK_KIB = 8L * 1_048_576;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;

    private final int memoryKib;
    private final int iterations;
    private final int parallelism;
    private final SecureRandom random;

    Argon2idFormat(int memoryKib, int iterations, int parallelism, SecureRandom random) {
        checkBounds(memoryKib, iterations, parallelism);
        this.memoryKib = memoryKib;
        this.iterations = iterations;
        this.parallelism = parallelism;
        this.random = random;
    }

    private record Parsed(int memoryKib, int iterations, int parallelism, byte[] salt, byte[] hash) {
    }

    @Override
    public HashAlgorithm algorithm() {
        return HashAlgorithm.ARGON2ID;
    }

    @Override
    public boolean claims(String encoded) {
        return encoded.startsWith(PREFIX);
    }

    @Override
    public void check(String encoded) {
        parse(encoded);
    }

    private static Parsed parse(String encoded) {
        String[] parts = encoded.split("\\$", -1);
        // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
        if (parts.length != 6) {
            throw new InvalidHashException("malformed argon2id hash: expected $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>");
        }
        if (!parts[2].equals("v=19")) {
            throw new InvalidHashException("unsupported argon2id version '" + parts[2] + "' (only v=19)");
        }
        Map<String, String> params = new HashMap<>();
        for (String kv : parts[3].split(",", -1)) {
            int eq = kv.indexOf('=');
            if (eq <= 0 || params.put(kv.substring(0, eq), kv.substring(eq + 1)) != null) {
                throw new InvalidHashException("malformed argon2id parameters");
            }
        }
        if (params.size() != 3 || !params.containsKey("m") || !params.containsKey("t") || !params.containsKey("p")) {
            throw new InvalidHashException("argon2id parameters must be exactly m, t and p");
        }
        int m = Phc.parseInt(params.get("m"), "argon2id memory (m, KiB)", 8, MAX_MEMORY_KIB);
        int t = Phc.parseInt(params.get("t"), "argon2id passes (t)", 1, MAX_ITERATIONS);
        int p = Phc.parseInt(params.get("p"), "argon2id parallelism (p)", 1, MAX_PARALLELISM);
        checkBounds(m, t, p);
        byte[] salt = Phc.decode(parts[4], "salt", 8, 256);
        byte[] hash = Phc.decode(parts[5], "hash", 16, 128);
        return new Parsed(m, t, p, salt, hash);
    }

    private static void checkBounds(int m, int t, int p) {
        if (m < 8 || m > MAX_MEMORY_KIB || t < 1 || t > MAX_ITERATIONS || p < 1 || p > MAX_PARALLELISM) {
            throw new InvalidHashException("argon2id parameters out of bounds (m 8.." + MAX_MEMORY_KIB + " KiB, t 1.."
                    + MAX_ITERATIONS + ", p 1.." + MAX_PARALLELISM + ")");
        }
        if (m < 8 * p) {
            throw new InvalidHashException("argon2id memory must be at least 8 KiB per lane");
        }
        if ((long) m * t > MAX_WORK_KIB) {
            throw new InvalidHashException("argon2id memory × passes exceeds " + MAX_WORK_KIB + " KiB");
        }
    }

    @Override
    public boolean verify(byte[] password, String encoded) {
        Parsed p = parse(encoded);
        byte[] actual = derive(password, p.salt, p.memoryKib, p.iterations, p.parallelism, p.hash.length);
        return MessageDigest.isEqual(actual, p.hash);
    }

    @Override
    public String hash(byte[] password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] hash = derive(password, salt, memoryKib, iterations, parallelism, HASH_BYTES);
        return PREFIX + "v=19$m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism + "$"
                + Phc.encode(salt) + "$" + Phc.encode(hash);
    }

    private static byte[] derive(byte[] password, byte[] salt, int m, int t, int p, int length) {
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(m)
                .withIterations(t)
                .withParallelism(p)
                .withSalt(salt)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params);
        byte[] out = new byte[length];
        generator.generateBytes(password, out);
        return out;
    }
}
