package io.rampart.admin.api;

import io.rampart.admin.AdminServices;
import io.rampart.admin.broker.ClientDirectory.ClientDetails;
import io.rampart.admin.broker.ClientDirectory.ClientSummary;
import io.rampart.admin.http.HttpAnswer;
import io.rampart.admin.net.Cidr;
import io.rampart.admin.rbac.AdminPermission;
import io.rampart.security.limits.IdentityLimits;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * {@code /clients}: list (client-id order, cursor paging, filters), details, disconnect (MQTT 5: DISCONNECT 0x98)
 * and session deletion. A scoped caller sees only the clients its grants reach; any other client answers 404
 * exactly like a missing one. Addresses are shown only with {@code data:address} (and that read is audited).
 */
final class ClientEndpoints {

    /** At most this many sessions are looked at for one page of a filtered list; the cursor continues from there. */
    static final int SCAN_BUDGET = 50_000;
    private static final int MAX_REASON = 256;

    private final AdminServices s;

    ClientEndpoints(AdminServices services) {
        this.s = services;
    }

    List<Route> routes() {
        return List.of(
                Route.sync("GET", "/api/v1/clients", "clients.list", AdminPermission.CLIENTS_READ, false, this::list),
                Route.sync("GET", "/api/v1/clients/{id}", "clients.get", AdminPermission.CLIENTS_READ, false, this::get),
                new Route("DELETE", "/api/v1/clients/{id}/connection", "clients.disconnect",
                        AdminPermission.CLIENTS_DISCONNECT, false, this::disconnect),
                new Route("DELETE", "/api/v1/clients/{id}/session", "sessions.delete",
                        AdminPermission.SESSIONS_DELETE, false, this::deleteSession));
    }

    private HttpAnswer list(ApiRequest r) {
        r.allowQuery("prefix", "pattern", "username", "listener", "address", "state", "protocol", "limit", "cursor");
        int limit = Paging.limit(r.query("limit"));
        String cursor = Paging.decode(r.query("cursor"));
        String prefix = r.query("prefix");
        Pattern pattern = r.query("pattern") == null ? null : glob(r.query("pattern"));
        String username = r.query("username");
        String listener = r.query("listener");
        Cidr network = null;
        if (r.query("address") != null) {
            r.require(AdminPermission.DATA_ADDRESS);
            try {
                network = Cidr.parse(r.query("address"));
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, "address: " + e.getMessage(), List.of("address"), null);
            }
            r.audit().sensitive().detail("filtered by address " + network);
        }
        Boolean connected = state(r.query("state"));
        Integer protocol = protocol(r.query("protocol"));

        Iterator<ClientSummary> it;
        if (prefix != null && (cursor == null || cursor.compareTo(prefix) < 0)) {
            it = s.clients().from(prefix, true);
        } else {
            it = s.clients().from(cursor, false);
        }
        List<Map<String, Object>> items = new ArrayList<>();
        String last = null;
        int scanned = 0;
        boolean more = false;
        boolean addresses = false;
        while (it.hasNext()) {
            ClientSummary c = it.next();
            if (prefix != null && !c.clientId().startsWith(prefix)) {
                break;
            }
            if (items.size() == limit || scanned == SCAN_BUDGET) {
                more = true;
                break;
            }
            scanned++;
            last = c.clientId();
            if (!r.mayOnClient(AdminPermission.CLIENTS_READ, c.clientId())
                    || pattern != null && !pattern.matcher(c.clientId()).matches()
                    || username != null && !username.equals(c.username())
                    || listener != null && !listener.equals(c.listener())
                    || connected != null && connected != c.connected()
                    || protocol != null && protocol != c.protocolVersion()
                    || network != null && (c.address() == null || !network.contains(c.address().getAddress()))) {
                continue;
            }
            boolean showAddress = r.mayOnClient(AdminPermission.DATA_ADDRESS, c.clientId());
            addresses |= showAddress && c.address() != null;
            items.add(summary(c, showAddress));
        }
        if (addresses) {
            r.audit().sensitive();
        }
        return ApiJson.page(items, more ? last : null);
    }

    private HttpAnswer get(ApiRequest r) {
        r.allowQuery();
        String id = PathCodec.clientId(r.rawPathParam("id"));
        r.audit().target("client:" + id);
        ClientDetails d = visible(r, AdminPermission.CLIENTS_READ, id);
        boolean showAddress = r.mayOnClient(AdminPermission.DATA_ADDRESS, id);
        if (showAddress && d.summary().address() != null) {
            r.audit().sensitive();
        }
        Map<String, Object> out = summary(d.summary(), showAddress);
        out.put("keepAlive", d.keepAlive());
        out.put("sessionExpiryInterval", d.sessionExpiry());
        out.put("cleanStart", d.cleanStart());
        Map<String, Object> tls = null;
        if (!d.tls().isEmpty()) {
            tls = new LinkedHashMap<>();
            tls.put("protocol", d.tls().get("tls-protocol"));
            tls.put("cipher", d.tls().get("tls-cipher"));
            tls.put("certificateSubject", d.tls().get("tls-subject-dn"));
            tls.put("certificateSerial", d.tls().get("tls-serial"));
            tls.put("certificateIssuer", d.tls().get("tls-issuer-dn"));
            tls.put("certificateNotAfter", d.tls().get("tls-not-after"));
        }
        out.put("tls", tls);
        out.put("identity", d.identity());
        out.put("roles", d.roles() == null ? List.of() : d.roles().stream().sorted().toList());
        out.put("authenticationManager", d.authenticationManager());
        out.put("realm", d.realm());
        out.put("inflight", d.inflight());
        out.put("queued", d.queued());
        out.put("subscriptions", d.subscriptions().stream().map(SubscriptionEndpoints::view).toList());
        out.put("limits", d.limits() == null ? null : limits(d.limits(), d.maxPacketSize()));
        return ApiJson.answer(200, out);
    }

    private CompletionStage<HttpAnswer> disconnect(ApiRequest r) {
        r.allowQuery("reason");
        String id = PathCodec.clientId(r.rawPathParam("id"));
        r.audit().target("client:" + id);
        String reason = reason(r);
        ClientDetails d = visible(r, AdminPermission.CLIENTS_DISCONNECT, id);
        if (!d.summary().connected()) {
            throw new ApiException(409, "client " + id + " is not connected");
        }
        r.audit().detail("reason: " + reason);
        return s.clients().disconnect(id, reason).thenApply(done -> {
            if (!done) {
                throw new ApiException(409, "client " + id + " is not connected");
            }
            return HttpAnswer.empty(204);
        });
    }

    private CompletionStage<HttpAnswer> deleteSession(ApiRequest r) {
        r.allowQuery("reason");
        String id = PathCodec.clientId(r.rawPathParam("id"));
        r.audit().target("client:" + id);
        String reason = reason(r);
        ClientDetails d = visible(r, AdminPermission.SESSIONS_DELETE, id);
        r.audit().change(ApiJson.text(Map.of("connected", d.summary().connected(),
                "subscriptions", d.subscriptions().size(), "queued", d.queued())), null).detail("reason: " + reason);
        return s.clients().deleteSession(id, reason).thenApply(done -> {
            if (!done) {
                throw ApiException.notFound("no session of client " + id, false);
            }
            return HttpAnswer.empty(204);
        });
    }

    private String reason(ApiRequest r) {
        String reason = r.query("reason");
        if (reason == null || reason.isBlank()) {
            return "administrative action by " + r.principal().name();
        }
        if (reason.length() > MAX_REASON || reason.chars().anyMatch(Character::isISOControl)) {
            throw new ApiException(400, "reason must be at most " + MAX_REASON + " characters without control"
                    + " characters", List.of("reason"), null);
        }
        return reason;
    }

    /** The client's details when it exists and the caller's {@code permission} reaches it; else 404 either way. */
    private ClientDetails visible(ApiRequest r, AdminPermission permission, String id) {
        boolean inScope = r.mayOnClient(permission, id);
        ClientDetails d = inScope ? s.clients().details(id) : null;
        if (d == null) {
            throw ApiException.notFound("no client " + id, !inScope);
        }
        return d;
    }

    static Map<String, Object> summary(ClientSummary c, boolean showAddress) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clientId", c.clientId());
        m.put("connected", c.connected());
        m.put("username", c.username());
        m.put("listener", c.listener());
        m.put("protocolVersion", c.protocolVersion() == 0 ? null : c.protocolVersion());
        m.put("connectedSince", c.connectedSince() == null ? null : c.connectedSince().toString());
        if (c.node() != null) {
            m.put("node", c.node());
        }
        if (showAddress) {
            m.put("address", c.address() == null ? null : c.address().getAddress().getHostAddress());
            m.put("port", c.address() == null ? null : c.address().getPort());
        }
        return m;
    }

    /** The limits of a connection; a limit that is not set is {@code null}. */
    static Map<String, Object> limits(IdentityLimits l, int maxPacketSize) {
        Map<String, Object> out = new LinkedHashMap<>();
        rate(out, "messagesPerSecond", "messageBurst", l.publish());
        rate(out, "bytesPerSecond", "byteBurst", l.publishBytes());
        rate(out, "deliveriesPerSecond", "deliveryBurst", l.deliver());
        rate(out, "deliveryBytesPerSecond", "deliveryByteBurst", l.deliverBytes());
        out.put("maxPacketSize", maxPacketSize);
        out.put("disconnectAfterSeconds", l.disconnectAfter() == null ? null : l.disconnectAfter().toMillis() / 1000.0);
        return out;
    }

    private static void rate(Map<String, Object> out, String rateKey, String burstKey, IdentityLimits.Rate rate) {
        out.put(rateKey, rate == null ? null : rate.perSecond());
        out.put(burstKey, rate == null ? null : rate.burst());
    }

    private static Boolean state(String value) {
        if (value == null || value.equals("any")) {
            return null;
        }
        return switch (value) {
            case "connected" -> true;
            case "offline" -> false;
            default -> throw new ApiException(400, "state must be connected, offline or any", List.of("state"), null);
        };
    }

    private static Integer protocol(String value) {
        if (value == null) {
            return null;
        }
        return switch (value) {
            case "3", "4", "5" -> Integer.valueOf(value);
            case "3.1" -> 3;
            case "3.1.1" -> 4;
            case "5.0" -> 5;
            default -> throw new ApiException(400, "protocol must be 3 (3.1), 4 (3.1.1) or 5", List.of("protocol"), null);
        };
    }

    /** A client-id pattern: {@code *} matches any characters, everything else itself. */
    static Pattern glob(String pattern) {
        if (pattern.length() > 1024) {
            throw new ApiException(400, "pattern is longer than 1024 characters", List.of("pattern"), null);
        }
        StringBuilder regex = new StringBuilder();
        int start = 0;
        for (int i = 0; i < pattern.length(); i++) {
            if (pattern.charAt(i) == '*') {
                regex.append(Pattern.quote(pattern.substring(start, i))).append(".*");
                start = i + 1;
            }
        }
        regex.append(Pattern.quote(pattern.substring(start)));
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
