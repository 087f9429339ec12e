package io.rampart.admin.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code rampart audit verify FILE}: checks the hash chain of an audit log file. */
public final class AuditVerifier {

    private AuditVerifier() {
    }

    public static AuditChain.Verdict verify(Path file) throws IOException {
        return AuditChain.verify(Files.readAllLines(file, StandardCharsets.UTF_8));
    }
}
