package io.rampart.admin.broker;

import io.rampart.security.limits.IdentityLimits;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The broker's sessions and their connections, as the admin plane sees them. Implemented by the server over its
 * session store; nothing here exposes a secret (passwords, tokens, keys are never part of a client's view).
 */
public interface ClientDirectory {

    /**
     * Sessions in client-id order, starting at {@code clientId} ({@code inclusive}) or after it; {@code null}: from
     * the first. Lazy: walking a page costs that page, never a copy or a sort of the whole table.
     */
    Iterator<ClientSummary> from(String clientId, boolean inclusive);

    /**
     * As {@link #from}, but only the sessions of this node (on a node of a cluster, {@link #from} lists every node's
     * clients).
     */
    default Iterator<ClientSummary> fromThisNode(String clientId, boolean inclusive) {
        return from(clientId, inclusive);
    }

    /** The session of {@code clientId} with its connection's details, or {@code null} when there is none. */
    ClientDetails details(String clientId);

    /**
     * Closes the client's connection as an administrative action (MQTT 5: DISCONNECT 0x98 with {@code reason}).
     * Completes with {@code false} when the client is not connected.
     */
    CompletionStage<Boolean> disconnect(String clientId, String reason);

    /**
     * Ends the client's session (closing its connection first, as {@link #disconnect}): subscriptions and queued
     * messages are dropped, its will is not published. Completes with {@code false} when there is no session.
     */
    CompletionStage<Boolean> deleteSession(String clientId, String reason);

    /** The client ids of the members of a shared subscription, in order. */
    List<String> shareGroupMembers(String group, String filter);

    /**
     * One session.
     *
     * @param connected       whether a connection is bound to it
     * @param username        the CONNECT user name ({@code null} when offline or none)
     * @param listener        the listener it connected through ({@code null} when offline)
     * @param address         the client's address ({@code null} when offline)
     * @param protocolVersion 3, 4 or 5 ({@code 0} when offline)
     * @param connectedSince  when its connection was accepted ({@code null} when offline)
     * @param node            the node of the cluster it is on, or {@code null} on a single broker
     */
    record ClientSummary(String clientId, boolean connected, String username, String listener,
                         InetSocketAddress address, int protocolVersion, Instant connectedSince, String node) {

        /** A session of a single broker. */
        public ClientSummary(String clientId, boolean connected, String username, String listener,
                             InetSocketAddress address, int protocolVersion, Instant connectedSince) {
            this(clientId, connected, username, listener, address, protocolVersion, connectedSince, null);
        }

        /** The same session, on node {@code name}. */
        public ClientSummary onNode(String name) {
            return new ClientSummary(clientId, connected, username, listener, address, protocolVersion,
                    connectedSince, name);
        }
    }

    /**
     * A session with everything an operator may look at.
     *
     * @param keepAlive          seconds, as in force ({@code 0} when offline)
     * @param sessionExpiry      seconds
     * @param cleanStart         whether the connection asked for a clean start ({@code null} when offline)
     * @param tls                protocol, cipher and client-certificate fields ({@code tls-subject-dn}, {@code tls-serial},
     *                           ...); empty without TLS
     * @param identity           who it authenticated as ({@code null} when offline)
     * @param roles              its roles
     * @param authenticationManager the manager (and authorizer) that admitted it
     * @param realm              the realm behind it, or {@code null}
     * @param inflight           outbound QoS 1/2 messages awaiting acknowledgement
     * @param queued             messages waiting to be sent
     * @param subscriptions      its subscriptions
     * @param limits             the limits in force on its connection (the strictest of the listener's and its
     *                           identity's), {@code null} when offline
     * @param maxPacketSize      the largest packet its connection may send, {@code 0} when offline
     */
    record ClientDetails(ClientSummary summary, int keepAlive, long sessionExpiry, Boolean cleanStart,
                         Map<String, String> tls, String identity, Set<String> roles, String authenticationManager,
                         String realm, int inflight, int queued, List<SubscriptionView> subscriptions,
                         IdentityLimits limits, int maxPacketSize) {

        /** The same details, of a session on node {@code name}. */
        public ClientDetails onNode(String name) {
            return new ClientDetails(summary.onNode(name), keepAlive, sessionExpiry, cleanStart, tls, identity, roles,
                    authenticationManager, realm, inflight, queued, subscriptions, limits, maxPacketSize);
        }
    }

    /** One subscription of a session. */
    record SubscriptionView(String clientId, String filter, String shareGroup, int qos, boolean noLocal,
                            boolean retainAsPublished, int retainHandling, int subscriptionId) {
    }

    /** Subscriptions of one session. */
    List<SubscriptionView> subscriptions(String clientId);
}
