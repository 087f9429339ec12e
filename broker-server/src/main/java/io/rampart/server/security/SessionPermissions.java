package io.rampart.server.security;

import io.rampart.security.permission.CompiledPermissions;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;
import io.rampart.server.gate.ClientPermissions;

/**
 * The permissions of one live session, compiled at CONNECT and swapped atomically when its pipeline
 * re-authorizes after a realm change. Reads are a volatile load plus an in-memory match.
 *
 * <p>Devices mostly publish to, and receive on, the same few topics over and over, so the last PUBLISH
 * and the last delivery decision are remembered (one entry each, for the compiled permissions in force):
 * a repeat costs a string comparison instead of a scan of the rules. The checks run on the session's
 * event loop only, so the memo needs no synchronization; a realm reload swaps {@code compiled}, which
 * invalidates it.
 */
final class SessionPermissions implements ClientPermissions {

    private final PipelineGate owner;
    volatile Identity identity;
    volatile IdentityVariables variables;
    final long generation;
    private volatile CompiledPermissions compiled;
    private volatile Disconnector disconnector;

    SessionPermissions(PipelineGate owner, Identity identity, IdentityVariables variables, CompiledPermissions compiled,
                       long generation) {
        this.owner = owner;
        this.identity = identity;
        this.variables = variables;
        this.compiled = compiled;
        this.generation = generation;
    }

    private CompiledPermissions publishMemoFor;
    private String publishMemoTopic;
    private int publishMemoKey;
    private boolean publishMemo;
    private CompiledPermissions receiveMemoFor;
    private String receiveMemoTopic;
    private boolean receiveMemo;

    @Override
    public boolean mayPublish(String topic, int qos, boolean retain) {
        CompiledPermissions current = compiled;
        int key = (qos << 1) | (retain ? 1 : 0);
        if (current == publishMemoFor && key == publishMemoKey && topic.equals(publishMemoTopic)) {
            return publishMemo;
        }
        boolean allowed = current.mayPublish(topic, qos, retain);
        publishMemoFor = current;
        publishMemoTopic = topic;
        publishMemoKey = key;
        publishMemo = allowed;
        return allowed;
    }

    @Override
    public boolean maySubscribe(String filter, int qos, String shareGroup) {
        return compiled.maySubscribe(filter, qos, shareGroup);
    }

    @Override
    public boolean mayReceive(String topic) {
        CompiledPermissions current = compiled;
        if (current == receiveMemoFor && topic.equals(receiveMemoTopic)) {
            return receiveMemo;
        }
        boolean allowed = current.mayReceive(topic);
        receiveMemoFor = current;
        receiveMemoTopic = topic;
        receiveMemo = allowed;
        return allowed;
    }

    @Override
    public void attach(Disconnector disconnector) {
        this.disconnector = disconnector;
        owner.register(this);
    }

    @Override
    public void detach() {
        owner.unregister(this);
    }

    void replace(CompiledPermissions permissions) {
        this.compiled = permissions;
    }

    /** After an MQTT 5 re-authentication: the new identity (and its expiry) and its permissions. */
    void reauthenticated(Identity newIdentity, IdentityVariables newVariables, CompiledPermissions permissions) {
        this.identity = newIdentity;
        this.variables = newVariables;
        this.compiled = permissions;
    }

    @Override
    public java.time.Instant expiresAt() {
        return identity.expiresAt();
    }

    /**
     * "token expired" for identities from a token (they carry {@code jwt-} attributes), "certificate expired" for
     * identities whose expiry is their client certificate's not-after, else "credentials expired".
     */
    @Override
    public String expiryReason() {
        Identity current = identity;
        if (current.attributes().keySet().stream().anyMatch(k -> k.startsWith("jwt-"))) {
            return "token expired";
        }
        String notAfter = variables.get("tls-not-after");
        if (notAfter != null && current.expiresAt() != null && notAfter.equals(current.expiresAt().toString())) {
            return "certificate expired";
        }
        return "credentials expired";
    }

    @Override
    public java.util.Set<String> roles() {
        return identity.roles();
    }

    boolean ownedBy(PipelineGate gate) {
        return owner == gate;
    }

    void disconnect(int reasonCode, String reason) {
        Disconnector d = disconnector;
        if (d != null) {
            d.disconnect(reasonCode, reason);
        }
    }
}
