package io.rampart.security.realm.file;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.rampart.security.hash.HashAlgorithm;
import io.rampart.security.hash.PasswordHasher;
import io.rampart.security.permission.CompiledPermissions;
import io.rampart.security.permission.Permission;
import io.rampart.security.spi.IdentityVariables;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Set;

/**
 * Arbitrary bytes as a file realm's users file: {@link RealmFileParser} either returns the users and roles or
 * throws a {@link FileRealmException} that names the file; anything else is a finding. Every user's permissions
 * (own and of its roles, as a session gets them) are then compiled with identity variables taken from the user
 * and checked once, and its limits (own and of its roles) combined. Without {@code -Pfuzz} it replays the
 * committed inputs under {@code UsersFileFuzzTestInputs/parse} and the shipped users files, copied there by the
 * build; see docs/SECURITY.md, "Fuzzing".
 */
class UsersFileFuzzTest {

    private static final String SOURCE = "users.yaml";
    private static final PasswordHasher HASHER = new PasswordHasher(HashAlgorithm.PBKDF2_SHA512, true);

    @FuzzTest(maxDuration = "15m", maxExecutions = 10_000_000)
    @Timeout(60)
    void parse(byte[] input) {
        RealmContent content;
        try {
            content = RealmFileParser.parse(SOURCE, input, HASHER);
        } catch (FileRealmException e) {
            if (!e.getMessage().startsWith(SOURCE) || e.reason() == null || e.reason().isBlank()) {
                throw new AssertionError("the message does not name the file and a reason: " + e.getMessage(), e);
            }
            return;
        }
        for (UserEntry user : content.users().values()) {
            List<Permission> permissions = content.permissionsOf(user, Set.of());
            IdentityVariables variables = new IdentityVariables()
                    .set(IdentityVariables.CLIENT_ID, user.username())
                    .set(IdentityVariables.USERNAME, user.username());
            CompiledPermissions compiled = CompiledPermissions.compile(permissions, variables.freeze());
            String own = "devices/" + user.username() + "/t";
            compiled.mayPublish(own, 1, false);
            compiled.maySubscribe("devices/+/telemetry", 0, "dashboards");
            compiled.mayReceive(own);
            compiled.clientIdRefusal(user.username() + "-1");
            content.limitsOf(user, Set.of());
        }
    }
}
