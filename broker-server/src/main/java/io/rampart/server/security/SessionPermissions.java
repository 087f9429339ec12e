package io.rampart.server.security;

import io.rampart.security.limits.IdentityLimits;
import io.rampart.security.permission.CompiledPermissions;
import io.rampart.security.permission.Permission;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;
import io.rampart.server.gate.ClientPermissions;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The permissions of one live session, compiled at CONNECT and swapped atomically when its pipeline
 * re-authorizes after a realm change. Reads are a volatile load plus an in-memory match.
 *
 * <p>Devices mostly publish to, and receive on, the same few topics over and over, so the last PUBLISH
 * and the last delivery decision are remembered (one entry each, for the compiled permissions in force):
 * a repeat costs a string comparison instead of a scan of the rules. The checks run on the session's
 * event loop only, so the memo needs no synchronization; a realm reload swaps {@code compiled}, which
 * invalidates it.
 *
 * <p>The identity stays the one authenticated at CONNECT (or the last MQTT 5 re-authentication): each
 * re-authorization starts from it and reads its current user and roles from the realm again.
 */
final class SessionPermissions implements ClientPermissions {

    private final PipelineGate owner;
    volatile Identity identity;
    volatile IdentityVariables variables;
    final long generation;
    private volatile CompiledPermissions compiled;
    /** The rules {@code compiled} was made from, or {@code null} while the session is refused (no permissions). */
    private volatile List<Permission> granted;
    private volatile IdentityLimits limits;
    private volatile LiveSession session;
    /** Numbers the re-authorizations of this session, so an answer that arrives late cannot undo a newer one. */
    private final AtomicLong checks = new AtomicLong();
    private final AtomicBoolean disconnecting = new AtomicBoolean();

    SessionPermissions(PipelineGate owner, Identity identity, IdentityVariables variables, CompiledPermissions compiled,
                       List<Permission> granted, IdentityLimits limits, long generation) {
        this.owner = owner;
        this.identity = identity;
        this.variables = variables;
        this.compiled = compiled;
        this.granted = granted;
        this.limits = limits;
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
    public String clientIdRefusal(String clientId) {
        return compiled.clientIdRefusal(clientId);
    }

    @Override
    public CompiledPermissions.Verdict explainPublish(String topic, int qos, boolean retain) {
        return compiled.explainPublish(topic, qos, retain);
    }

    @Override
    public CompiledPermissions.Verdict explainSubscribe(String filter, int qos, String shareGroup) {
        return compiled.explainSubscribe(filter, qos, shareGroup);
    }

    @Override
    public CompiledPermissions.Verdict explainClientId(String clientId) {
        return compiled.explainClientId(clientId);
    }

    @Override
    public IdentityLimits limits() {
        return limits;
    }

    @Override
    public void attach(LiveSession live) {
        this.session = live;
        owner.register(this);
    }

    @Override
    public void detach() {
        owner.unregister(this);
    }

    /** Starts a re-authorization; its answer counts only while it is the latest ({@link #isLatestCheck}). */
    long startCheck() {
        return checks.incrementAndGet();
    }

    boolean isLatestCheck(long check) {
        return checks.get() == check;
    }

    /**
     * The permissions a re-authorization granted, compiled from {@code rules}, and the limits it set; the live
     * session is told when the limits changed.
     *
     * @return whether the rules differ from the ones in force (or the session had none after a refusal)
     */
    boolean grant(List<Permission> rules, CompiledPermissions permissions, IdentityLimits newLimits) {
        boolean changed = !rules.equals(granted);
        if (changed) {
            this.granted = rules;
            this.compiled = permissions;
        }
        setLimits(newLimits);
        return changed;
    }

    /** Whether {@code newLimits} differ from the limits in force. */
    boolean differsInLimits(IdentityLimits newLimits) {
        return !newLimits.equals(limits);
    }

    private void setLimits(IdentityLimits newLimits) {
        if (newLimits.equals(limits)) {
            return;
        }
        this.limits = newLimits;
        LiveSession live = session;
        if (live != null) {
            live.limitsChanged();
        }
    }

    /**
     * Takes every permission away (a re-authorization refused the session).
     *
     * @return whether the session had permissions until now
     */
    boolean revoke() {
        boolean had = granted != null;
        this.granted = null;
        this.compiled = CompiledPermissions.NONE;
        return had;
    }

    /** The number of rules in force, or -1 while the session is refused. */
    int ruleCount() {
        List<Permission> current = granted;
        return current == null ? -1 : current.size();
    }

    /** After an MQTT 5 re-authentication: the new identity (and its expiry), its permissions and its limits. */
    void reauthenticated(Identity newIdentity, IdentityVariables newVariables, CompiledPermissions permissions,
                         List<Permission> rules, IdentityLimits newLimits) {
        this.identity = newIdentity;
        this.variables = newVariables;
        this.granted = rules;
        this.compiled = permissions;
        setLimits(newLimits);
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

    /**
     * Closes the session from outside its event loop.
     *
     * @return {@code false} when it was asked to close before (nothing done)
     */
    boolean disconnect(int reasonCode, String reason) {
        if (!disconnecting.compareAndSet(false, true)) {
            return false;
        }
        LiveSession live = session;
        if (live != null) {
            live.disconnect(reasonCode, reason);
        }
        return true;
    }
}
