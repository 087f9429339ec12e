package io.rampart.server.admin;

import io.rampart.admin.ban.Ban;
import io.rampart.admin.ban.BanList;
import io.rampart.security.pipeline.ChainTrace;
import io.rampart.server.gate.ClientPermissions;
import io.rampart.server.gate.ConnectDecision;
import io.rampart.server.gate.ConnectGate;
import io.rampart.server.gate.ConnectRequest;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Wraps a listener's connection gate: a CONNECT hit by a ban (client id, user name, address) is refused with
 * {@link ConnectDecision.Outcome#BANNED} (MQTT 5 0x8A, MQTT 3 return code 5) before the gate, and so before any
 * realm, is asked. With no bans the check is one volatile read.
 */
final class BanGate implements ConnectGate {

    private final ConnectGate delegate;
    private final BanList bans;

    BanGate(ConnectGate delegate, BanList bans) {
        this.delegate = delegate;
        this.bans = bans;
    }

    @Override
    public CompletionStage<ConnectDecision> authenticate(ConnectRequest request) {
        return authenticate(request, ChainTrace.NONE);
    }

    @Override
    public CompletionStage<ConnectDecision> authenticate(ConnectRequest request, ChainTrace trace) {
        Ban ban = bans.match(request.clientId(), request.username(), address(request));
        if (ban != null) {
            return CompletableFuture.completedFuture(ConnectDecision.refuse(ConnectDecision.Outcome.BANNED,
                    "banned (" + ban.describe() + ", ban " + ban.id() + ")", "ban-list", null));
        }
        return delegate.authenticate(request, trace);
    }

    @Override
    public boolean supportsAuthMethod(String method) {
        return delegate.supportsAuthMethod(method);
    }

    @Override
    public CompletionStage<ConnectDecision> reauthenticate(ConnectRequest request, ClientPermissions current) {
        return delegate.reauthenticate(request, current);
    }

    private static InetAddress address(ConnectRequest request) {
        return request.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
