package io.rampart.security.realm.file;

import io.rampart.security.hash.InvalidHashException;
import io.rampart.security.spi.AuthenticationManager;
import io.rampart.security.spi.AuthenticationRequest;
import io.rampart.security.spi.Decision;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * User name + password against a realm file. Verification runs synchronously in the calling thread (the
 * pipeline's executor): unknown users are checked against a dummy hash too, so response time does not tell
 * which user names exist. The identity is a user of the realm: re-authorization reads its roles from the file
 * again, and a user removed from the file is refused.
 */
final class PasswordAuthenticator implements AuthenticationManager {

    private final String name;
    private final String realm;
    private final Supplier<RealmContent> content;
    private final PasswordCheck check;
    private final CredentialCache cache;
    private final Supplier<String> dummyHash;
    private final Consumer<Runnable> listeners;

    PasswordAuthenticator(String name, String realm, Supplier<RealmContent> content, PasswordCheck check,
                          CredentialCache cache, Supplier<String> dummyHash, Consumer<Runnable> listeners) {
        this.name = name;
        this.realm = realm;
        this.content = content;
        this.check = check;
        this.cache = cache;
        this.dummyHash = dummyHash;
        this.listeners = listeners;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String realm() {
        return realm;
    }

    @Override
    public CompletionStage<Decision<Identity>> authenticate(AuthenticationRequest request) {
        return CompletableFuture.completedFuture(decide(request));
    }

    /** The user's roles in the file in force now; refused when the user is no longer in it. */
    @Override
    public CompletionStage<Decision<Identity>> refresh(Identity identity, IdentityVariables variables) {
        UserEntry user = content.get().users().get(identity.name());
        if (user == null) {
            return CompletableFuture.completedFuture(Decision.deny(Decision.DenyKind.NOT_AUTHORIZED,
                    quote(identity.name()) + " is no longer a user of realm '" + realm + "'"));
        }
        return CompletableFuture.completedFuture(Decision.allow(identity.withRoles(Set.copyOf(user.roles()))));
    }

    @Override
    public void onChange(Runnable listener) {
        listeners.accept(listener);
    }

    private Decision<Identity> decide(AuthenticationRequest request) {
        String username = request.username();
        if (username == null) {
            return Decision.noOpinion("no user name");
        }
        byte[] password = request.password() == null ? new byte[0] : request.password();
        UserEntry user = content.get().users().get(username);
        if (user == null) {
            check.verify(password, dummyHash.get());
            return Decision.deny(Decision.DenyKind.BAD_CREDENTIALS, "unknown user " + quote(username));
        }
        String hash = user.passwordHash();
        if (hash == null) {
            return Decision.deny(Decision.DenyKind.BAD_CREDENTIALS, "no password login for " + quote(username)
                    + " (the realm file has no password for this user)");
        }
        if (request.password() == null) {
            return Decision.deny(Decision.DenyKind.BAD_CREDENTIALS, "no password given for " + quote(username));
        }
        if (!cache.matches(username, hash, password)) {
            boolean ok;
            try {
                ok = check.verify(password, hash);
            } catch (InvalidHashException e) {
                return Decision.deny(Decision.DenyKind.BAD_CREDENTIALS,
                        "stored password hash of " + quote(username) + " is unusable: " + e.getMessage());
            }
            if (!ok) {
                return Decision.deny(Decision.DenyKind.BAD_CREDENTIALS, "wrong password for " + quote(username));
            }
            cache.remember(username, hash, password);
        }
        return Decision.allow(Identity.userOf(realm, name, username, Set.copyOf(user.roles()), Map.of()));
    }

    /** Quotes a client-chosen name for a log line: control characters replaced, length bounded. */
    static String quote(String name) {
        StringBuilder sb = new StringBuilder(Math.min(name.length(), 128) + 2).append('\'');
        for (int i = 0; i < name.length() && i < 128; i++) {
            char c = name.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        if (name.length() > 128) {
            sb.append("...");
        }
        return sb.append('\'').toString();
    }
}
