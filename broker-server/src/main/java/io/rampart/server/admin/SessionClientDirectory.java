package io.rampart.server.admin;

import io.rampart.admin.broker.ClientDirectory;
import io.rampart.core.BrokerCore;
import io.rampart.core.session.Session;
import io.rampart.core.session.SessionOutput;
import io.rampart.core.topic.SharedGroup;
import io.rampart.core.topic.Subscription;
import io.rampart.server.protocol.ConnectionInfo;
import io.rampart.server.protocol.MqttConnection;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The admin plane's view of the session store and the connections bound to its sessions. */
final class SessionClientDirectory implements ClientDirectory {

    private static final int DELETE_ATTEMPTS = 3;

    private final BrokerCore core;

    SessionClientDirectory(BrokerCore core) {
        this.core = core;
    }

    @Override
    public Iterator<ClientSummary> from(String clientId, boolean inclusive) {
        Iterator<Session> sessions = core.sessions().ordered(clientId, inclusive).values().iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return sessions.hasNext();
            }

            @Override
            public ClientSummary next() {
                return summary(sessions.next());
            }
        };
    }

    @Override
    public ClientDetails details(String clientId) {
        Session s = core.sessions().get(clientId);
        if (s == null) {
            return null;
        }
        ConnectionInfo info = info(s);
        return new ClientDetails(summary(s, info), info == null ? 0 : info.keepAlive(), s.expiryIntervalSeconds(),
                info == null ? null : info.cleanStart(), info == null ? Map.of() : info.tls(),
                info == null ? null : info.identity(), info == null ? Set.of() : info.roles(),
                info == null ? null : info.manager(), info == null ? null : info.realm(), s.inflightCount(),
                s.queuedCount(), views(s), info == null ? null : info.limits(), info == null ? 0 : info.maxPacketSize());
    }

    @Override
    public List<SubscriptionView> subscriptions(String clientId) {
        Session s = core.sessions().get(clientId);
        return s == null ? List.of() : views(s);
    }

    @Override
    public CompletionStage<Boolean> disconnect(String clientId, String reason) {
        Session s = core.sessions().get(clientId);
        if (s != null && s.output() instanceof MqttConnection c) {
            return c.disconnectByAdministrator(reason);
        }
        return CompletableFuture.completedFuture(false);
    }

    @Override
    public CompletionStage<Boolean> deleteSession(String clientId, String reason) {
        Session s = core.sessions().get(clientId);
        if (s == null) {
            return CompletableFuture.completedFuture(false);
        }
        return delete(s, reason, DELETE_ATTEMPTS);
    }

    /** Closes the bound connection first (it may reconnect meanwhile: a few attempts), then ends the session. */
    private CompletionStage<Boolean> delete(Session s, String reason, int attempts) {
        if (core.sessions().discardOffline(s) || s.isEnded()) {
            return CompletableFuture.completedFuture(true);
        }
        SessionOutput out = s.output();
        if (attempts > 0 && out instanceof MqttConnection c) {
            return c.disconnectByAdministrator(reason).thenCompose(closed -> delete(s, reason, attempts - 1));
        }
        return CompletableFuture.completedFuture(false);
    }

    @Override
    public List<String> shareGroupMembers(String group, String filter) {
        SharedGroup g = core.subscriptions().sharedGroup(group, filter);
        if (g == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Subscription m : g.members()) {
            out.add(m.clientId());
        }
        out.sort(null);
        return out;
    }

    private static ConnectionInfo info(Session s) {
        return s.output() instanceof MqttConnection c ? c.info() : null;
    }

    private static ClientSummary summary(Session s) {
        return summary(s, info(s));
    }

    private static ClientSummary summary(Session s, ConnectionInfo info) {
        if (info == null) {
            return new ClientSummary(s.clientId(), s.isConnected(), null, null, null, 0, null);
        }
        return new ClientSummary(s.clientId(), true, info.username(), info.listener(), info.address(),
                info.protocolVersion(), info.connectedSince());
    }

    private static List<SubscriptionView> views(Session s) {
        List<SubscriptionView> out = new ArrayList<>();
        for (Subscription sub : s.subscriptions()) {
            out.add(new SubscriptionView(sub.clientId(), sub.filter(), sub.shareGroup(), sub.qos(), sub.noLocal(),
                    sub.retainAsPublished(), sub.retainHandling(), sub.subscriptionId()));
        }
        return out;
    }
}
