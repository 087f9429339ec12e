package io.rampart.cluster.tls;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the cluster's trust check saw: connections of other nodes accepted (with the TLS protocol, cipher suite and
 * certificate of each peer address) and refused. Shows operators, and tests, that the traffic between nodes is TLS.
 */
public final class TlsStats {

    private static final int MAX_PEERS = 256;

    /** The TLS parameters of the last accepted connection with one peer address. */
    public record Peer(String address, String protocol, String cipherSuite, String certificate) {
    }

    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final Map<String, Peer> peers = new ConcurrentHashMap<>();

    void accepted(String address, String protocol, String cipherSuite, String certificate) {
        accepted.incrementAndGet();
        if (peers.size() >= MAX_PEERS && !peers.containsKey(address)) {
            return;
        }
        peers.put(address, new Peer(address, protocol, cipherSuite, certificate));
    }

    void refused() {
        refused.incrementAndGet();
    }

    public long acceptedCount() {
        return accepted.get();
    }

    public long refusedCount() {
        return refused.get();
    }

    public List<Peer> peers() {
        List<Peer> out = new ArrayList<>(peers.values());
        out.sort((a, b) -> a.address().compareTo(b.address()));
        return out;
    }
}
