package io.rampart.server.security;

import io.rampart.security.permission.CompiledPermissions;
import io.rampart.security.spi.Identity;
import io.rampart.security.spi.IdentityVariables;
import io.rampart.server.gate.ClientPermissions;

/**
 * The permissions of one live session, compiled at CONNECT and swapped atomically when its pipeline
 * re-authorizes after a realm change. Reads are a volatile load plus an in-memory match.
 */
final class SessionPermissions implements ClientPermissions {

    private final PipelineGate owner;
    final Identity identity;
    final IdentityVariables variables;
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

    @Override
    public boolean mayPublish(String topic, int qos, boolean retain) {
        return compiled.mayPublish(topic, qos, retain);
    }

    @Override
    public boolean maySubscribe(String filter, int qos, String shareGroup) {
        return compiled.maySubscribe(filter, qos, shareGroup);
    }

    @Override
    public boolean mayReceive(String topic) {
        return compiled.mayReceive(topic);
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

    void disconnect(int reasonCode, String reason) {
        Disconnector d = disconnector;
        if (d != null) {
            d.disconnect(reasonCode, reason);
        }
    }
}
