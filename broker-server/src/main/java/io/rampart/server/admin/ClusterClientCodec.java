package io.rampart.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rampart.admin.broker.ClientDirectory.ClientDetails;
import io.rampart.admin.broker.ClientDirectory.ClientSummary;
import io.rampart.admin.broker.ClientDirectory.SubscriptionView;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A client's summary and details as the nodes of a cluster exchange them (JSON): never a password or token, and no
 * limits (they are shown on the node the client is connected to).
 */
final class ClusterClientCodec {

    private static final Logger LOG = LogManager.getLogger(ClusterClientCodec.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ClusterClientCodec() {
    }

    static byte[] encode(ClientSummary c) {
        return summaryNode(c).toString().getBytes(StandardCharsets.UTF_8);
    }

    private static ObjectNode summaryNode(ClientSummary c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("connected", c.connected());
        n.put("username", c.username());
        n.put("listener", c.listener());
        n.put("address", c.address() == null ? null : c.address().getAddress().getHostAddress());
        n.put("port", c.address() == null ? 0 : c.address().getPort());
        n.put("protocolVersion", c.protocolVersion());
        n.put("connectedSince", c.connectedSince() == null ? null : c.connectedSince().toString());
        return n;
    }

    static ClientSummary decode(String clientId, String node, byte[] value) {
        try {
            return summary(clientId, node, JSON.readTree(value));
        } catch (IOException | RuntimeException e) {
            LOG.warn("a client summary of node {} cannot be read and is ignored: {}", node, e.toString());
            return null;
        }
    }

    private static ClientSummary summary(String clientId, String node, JsonNode n) throws IOException {
        String address = text(n, "address");
        String since = text(n, "connectedSince");
        return new ClientSummary(clientId, n.path("connected").asBoolean(), text(n, "username"), text(n, "listener"),
                address == null ? null : new InetSocketAddress(InetAddress.getByName(address), n.path("port").asInt()),
                n.path("protocolVersion").asInt(), since == null ? null : Instant.parse(since), node);
    }

    static byte[] encodeDetails(ClientDetails d) {
        ObjectNode n = JSON.createObjectNode();
        n.put("clientId", d.summary().clientId());
        n.set("summary", summaryNode(d.summary()));
        n.put("keepAlive", d.keepAlive());
        n.put("sessionExpiry", d.sessionExpiry());
        if (d.cleanStart() != null) {
            n.put("cleanStart", d.cleanStart());
        }
        ObjectNode tls = n.putObject("tls");
        d.tls().forEach(tls::put);
        n.put("identity", d.identity());
        d.roles().forEach(n.putArray("roles")::add);
        n.put("authenticationManager", d.authenticationManager());
        n.put("realm", d.realm());
        n.put("inflight", d.inflight());
        n.put("queued", d.queued());
        var subs = n.putArray("subscriptions");
        for (SubscriptionView v : d.subscriptions()) {
            subs.addObject().put("clientId", v.clientId()).put("filter", v.filter()).put("shareGroup", v.shareGroup())
                    .put("qos", v.qos()).put("noLocal", v.noLocal()).put("retainAsPublished", v.retainAsPublished())
                    .put("retainHandling", v.retainHandling()).put("subscriptionId", v.subscriptionId());
        }
        n.put("maxPacketSize", d.maxPacketSize());
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    static ClientDetails decodeDetails(byte[] value, String node) throws IOException {
        JsonNode n = JSON.readTree(value);
        String clientId = text(n, "clientId");
        Map<String, String> tls = new LinkedHashMap<>();
        n.path("tls").fields().forEachRemaining(e -> tls.put(e.getKey(), e.getValue().asText()));
        Set<String> roles = new HashSet<>();
        n.path("roles").forEach(r -> roles.add(r.asText()));
        List<SubscriptionView> subscriptions = new ArrayList<>();
        for (JsonNode v : n.path("subscriptions")) {
            subscriptions.add(new SubscriptionView(text(v, "clientId"), text(v, "filter"), text(v, "shareGroup"),
                    v.path("qos").asInt(), v.path("noLocal").asBoolean(), v.path("retainAsPublished").asBoolean(),
                    v.path("retainHandling").asInt(), v.path("subscriptionId").asInt()));
        }
        return new ClientDetails(summary(clientId, node, n.path("summary")), n.path("keepAlive").asInt(),
                n.path("sessionExpiry").asLong(), n.has("cleanStart") ? n.path("cleanStart").asBoolean() : null,
                Map.copyOf(tls), text(n, "identity"), Set.copyOf(roles), text(n, "authenticationManager"),
                text(n, "realm"), n.path("inflight").asInt(), n.path("queued").asInt(), List.copyOf(subscriptions),
                null, n.path("maxPacketSize").asInt());
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }
}
