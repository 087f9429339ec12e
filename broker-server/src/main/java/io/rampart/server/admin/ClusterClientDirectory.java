package io.rampart.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rampart.admin.broker.ClientDirectory;
import io.rampart.core.cluster.SharedState;
import io.rampart.core.cluster.SharedTable;
import io.rampart.server.observe.ClientObserver;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The admin plane's client list on a node of a cluster: this node's sessions, and the connected clients of every other
 * node, each with its node's name. Each node puts a small summary of every client that connects to it into a table all
 * nodes share ({@code <node>|<client id>}) and takes it out when the client disconnects; the writes leave the event
 * loop at once for one writer thread (a full queue drops the update, counted and logged). The other nodes' summaries
 * are mirrored here in client-id order, so a page of the list costs that page. Details, disconnect and session delete
 * of a client on another node are asked of that node.
 */
final class ClusterClientDirectory implements ClientDirectory, ClientObserver {

    private static final Logger LOG = LogManager.getLogger(ClusterClientDirectory.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);
    private static final int QUEUE = 10_000;
    static final String TABLE = "clients";
    private static final String DETAILS = "client-details";
    private static final String DISCONNECT = "client-disconnect";
    private static final String DELETE = "client-delete";

    private final ClientDirectory local;
    private final ThreadPoolExecutor writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUE), r -> {
                Thread t = new Thread(r, "rampart-cluster-clients");
                t.setDaemon(true);
                return t;
            }, (r, e) -> dropped());
    private final LongAdder droppedUpdates = new LongAdder();
    /** The other nodes' connected clients by client id (a client id is on one node at a time). */
    private final ConcurrentSkipListMap<String, ClientSummary> remote = new ConcurrentSkipListMap<>();
    private volatile SharedState state;
    private volatile SharedTable table;

    ClusterClientDirectory(ClientDirectory local) {
        this.local = local;
    }

    /** The node has joined: this node's clients go into the shared table, the others' are mirrored here. */
    void bind(SharedState shared) {
        SharedTable t = shared.table(TABLE);
        String prefix = shared.nodeName() + "|";
        t.listen(this::changed);
        for (Map.Entry<String, byte[]> e : t.entries().entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                writer.execute(() -> t.remove(e.getKey()));
            } else {
                changed(e.getKey(), e.getValue());
            }
        }
        shared.onAsk(DETAILS, this::answerDetails);
        shared.onAsk(DISCONNECT, request -> answerAction(request, false));
        shared.onAsk(DELETE, request -> answerAction(request, true));
        this.state = shared;
        this.table = t;
        Iterator<ClientSummary> mine = local.from(null, false);
        while (mine.hasNext()) {
            ClientSummary c = mine.next();
            if (c.connected()) {
                publish(c);
            }
        }
    }

    void close() {
        writer.shutdownNow();
    }

    // ------------------------------------------------------------------ this node's clients (event loops)

    @Override
    public void connected(String listener, InetSocketAddress address, String clientId, String username,
                          int protocolVersion, boolean cleanStart, boolean sessionPresent, int keepAlive,
                          String tlsProtocol, String tlsCipher, String tlsSubject) {
        if (table != null) {
            publish(new ClientSummary(clientId, true, username, listener, address, protocolVersion, Instant.now()));
        }
    }

    @Override
    public void disconnected(String listener, InetSocketAddress address, String clientId, String close,
                             int reasonCode, String reason) {
        SharedTable t = table;
        if (t != null) {
            String key = state.nodeName() + "|" + clientId;
            writer.execute(() -> t.remove(key));
        }
    }

    private void publish(ClientSummary c) {
        SharedTable t = table;
        String key = state.nodeName() + "|" + c.clientId();
        byte[] value = ClusterClientCodec.encode(c);
        writer.execute(() -> t.put(key, value, null));
    }

    private void dropped() {
        droppedUpdates.increment();
        if (droppedUpdates.sum() % 1000 == 1) {
            LOG.warn("cluster client list: {} update(s) not shared with the other nodes (writer queue full); the list"
                    + " of this node's clients on other nodes may be incomplete until they reconnect",
                    droppedUpdates.sum());
        }
    }

    private void changed(String key, byte[] value) {
        int bar = key.indexOf('|');
        if (bar <= 0) {
            return;
        }
        String node = key.substring(0, bar);
        String clientId = key.substring(bar + 1);
        SharedState s = state;
        if (s != null && node.equals(s.nodeName())) {
            return;
        }
        if (value == null) {
            remote.computeIfPresent(clientId, (k, c) -> node.equals(c.node()) ? null : c);
            return;
        }
        ClientSummary c = ClusterClientCodec.decode(clientId, node, value);
        if (c != null) {
            remote.put(clientId, c);
        }
    }

    // ------------------------------------------------------------------ the directory

    @Override
    public Iterator<ClientSummary> from(String clientId, boolean inclusive) {
        SharedState s = state;
        if (s == null) {
            return local.from(clientId, inclusive);
        }
        String here = s.nodeName();
        Set<String> live = new HashSet<>(s.nodeNames());
        Iterator<ClientSummary> mine = local.from(clientId, inclusive);
        Iterator<ClientSummary> theirs = (clientId == null ? remote : remote.tailMap(clientId, inclusive)).values()
                .stream().filter(c -> live.contains(c.node())).iterator();
        return new Iterator<>() {
            private ClientSummary a = mine.hasNext() ? mine.next().onNode(here) : null;
            private ClientSummary b = theirs.hasNext() ? theirs.next() : null;

            @Override
            public boolean hasNext() {
                return a != null || b != null;
            }

            @Override
            public ClientSummary next() {
                if (a == null && b == null) {
                    throw new NoSuchElementException();
                }
                int order = a == null ? 1 : b == null ? -1 : a.clientId().compareTo(b.clientId());
                ClientSummary out;
                if (order <= 0) {
                    out = a;
                    a = mine.hasNext() ? mine.next().onNode(here) : null;
                    if (order == 0) {
                        b = theirs.hasNext() ? theirs.next() : null;
                    }
                } else {
                    out = b;
                    b = theirs.hasNext() ? theirs.next() : null;
                }
                return out;
            }
        };
    }

    @Override
    public Iterator<ClientSummary> fromThisNode(String clientId, boolean inclusive) {
        SharedState s = state;
        Iterator<ClientSummary> mine = local.from(clientId, inclusive);
        if (s == null) {
            return mine;
        }
        String here = s.nodeName();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return mine.hasNext();
            }

            @Override
            public ClientSummary next() {
                return mine.next().onNode(here);
            }
        };
    }

    @Override
    public ClientDetails details(String clientId) {
        ClientDetails here = local.details(clientId);
        SharedState s = state;
        if (s == null) {
            return here;
        }
        if (here != null) {
            return here.onNode(s.nodeName());
        }
        ClientSummary there = remote.get(clientId);
        if (there == null) {
            return null;
        }
        try {
            byte[] answer = s.ask(there.node(), DETAILS, clientId.getBytes(StandardCharsets.UTF_8), ASK_TIMEOUT)
                    .toCompletableFuture().get(ASK_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            return answer.length == 0 ? null : ClusterClientCodec.decodeDetails(answer, there.node());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            LOG.warn("the details of client '{}' could not be asked of node {}: {}", clientId, there.node(),
                    e.toString());
            return null;
        }
    }

    @Override
    public CompletionStage<Boolean> disconnect(String clientId, String reason) {
        return act(clientId, reason, false);
    }

    @Override
    public CompletionStage<Boolean> deleteSession(String clientId, String reason) {
        return act(clientId, reason, true);
    }

    private CompletionStage<Boolean> act(String clientId, String reason, boolean delete) {
        SharedState s = state;
        ClientSummary there = s == null || local.details(clientId) != null ? null : remote.get(clientId);
        if (there == null) {
            return delete ? local.deleteSession(clientId, reason) : local.disconnect(clientId, reason);
        }
        ObjectNode request = JSON.createObjectNode().put("clientId", clientId).put("reason", reason);
        return s.ask(there.node(), delete ? DELETE : DISCONNECT, request.toString().getBytes(StandardCharsets.UTF_8),
                ASK_TIMEOUT).thenApply(answer -> answer.length == 1 && answer[0] == 1);
    }

    @Override
    public List<String> shareGroupMembers(String group, String filter) {
        return local.shareGroupMembers(group, filter);
    }

    @Override
    public List<SubscriptionView> subscriptions(String clientId) {
        ClientDetails d = details(clientId);
        return d == null ? List.of() : d.subscriptions();
    }

    // ------------------------------------------------------------------ answers to the other nodes

    private byte[] answerDetails(byte[] request) {
        ClientDetails d = local.details(new String(request, StandardCharsets.UTF_8));
        return d == null ? new byte[0] : ClusterClientCodec.encodeDetails(d);
    }

    private byte[] answerAction(byte[] request, boolean delete) {
        try {
            JsonNode n = JSON.readTree(request);
            String clientId = n.path("clientId").asText();
            String reason = n.path("reason").asText();
            CompletionStage<Boolean> done = delete ? local.deleteSession(clientId, reason)
                    : local.disconnect(clientId, reason);
            boolean ok = done.toCompletableFuture().get(ASK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return new byte[]{(byte) (ok ? 1 : 0)};
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new byte[]{0};
        } catch (Exception e) {
            LOG.warn("a client action asked by another node failed: {}", e.toString());
            return new byte[]{0};
        }
    }
}
