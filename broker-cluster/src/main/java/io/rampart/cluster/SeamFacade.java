package io.rampart.cluster;

import io.rampart.core.cluster.LocalDelivery;
import io.rampart.core.cluster.RemoteRouting;
import io.rampart.core.cluster.RetainedReplication;
import io.rampart.core.cluster.RouteListener;
import io.rampart.core.cluster.SessionDirectory;
import io.rampart.core.cluster.SessionJournal;
import io.rampart.core.cluster.SessionLog;
import io.rampart.core.message.Message;
import io.rampart.core.session.Session;
import io.rampart.core.session.SessionOwner;
import io.rampart.core.topic.Subscription;

import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The seams the core is built with, before the node has joined: each does what a single node does until {@link #bind}
 * hands over the cluster's implementations. The core only starts serving clients after that.
 */
final class SeamFacade implements RemoteRouting, SessionJournal, RetainedReplication, SessionDirectory, RouteListener {

    private volatile RemoteRouting routing = RemoteRouting.NONE;
    private volatile SessionJournal journal = SessionJournal.NONE;
    private volatile RetainedReplication retained = RetainedReplication.NONE;
    private volatile SessionDirectory directory = SessionDirectory.LOCAL;
    private volatile RouteListener routes = RouteListener.NONE;

    void bind(RemoteRouting routingImpl, SessionJournal journalImpl, RetainedReplication retainedImpl,
              SessionDirectory directoryImpl, RouteListener routesImpl) {
        this.journal = journalImpl;
        this.retained = retainedImpl;
        this.directory = directoryImpl;
        this.routes = routesImpl;
        this.routing = routingImpl;
    }

    @Override
    public int route(Message message, Consumer<CompletionStage<Void>> handoff, LocalDelivery local) {
        return routing.route(message, handoff, local);
    }

    @Override
    public SessionLog open(Session session, boolean restored) {
        return journal.open(session, restored);
    }

    @Override
    public void retainedChanged(Message message) {
        retained.retainedChanged(message);
    }

    @Override
    public CompletionStage<Claim> claim(String clientId, boolean cleanStart, SessionOwner owner) {
        return directory.claim(clientId, cleanStart, owner);
    }

    @Override
    public void added(Subscription subscription) {
        routes.added(subscription);
    }

    @Override
    public void removed(Subscription subscription) {
        routes.removed(subscription);
    }

    @Override
    public CompletionStage<Void> settled() {
        return routes.settled();
    }
}
