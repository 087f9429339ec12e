package io.rampart.server.config;

import io.rampart.core.QueueOverflowPolicy;
import io.rampart.security.limits.IdentityLimits;
import io.rampart.security.limits.LimitsSyntax;
import io.rampart.tls.TlsSettings;

import java.util.List;

/** Maps one entry of {@code listeners:} onto {@link ListenerConfig}. */
final class ListenerSection {

    static final List<String> KEYS = List.of("type", "name", "bind", "port", "path", "allow-anonymous", "tls",
            "max-connections", "allow-plaintext", "connection-rate", "connection-burst", "per-address", "limits",
            "max-queued-messages", "max-queued-bytes", "queue-overflow");
    static final List<String> PER_ADDRESS_KEYS = List.of("max-connections", "connection-rate", "connection-burst",
            "ipv4-prefix-length", "ipv6-prefix-length");
    static final int DEFAULT_TLS_PORT = 8883;
    static final int DEFAULT_SECURE_WEBSOCKET_PORT = 8443;

    private ListenerSection() {
    }

    static ListenerConfig read(ConfigNode listener) throws ConfigException {
        listener.requireKeys(KEYS);
        ListenerType type = listener.get("type").enumValue(ListenerType.class);
        String name = listener.get("name").string();
        String bind = listener.get("bind").string(ListenerConfig.DEFAULT_BIND);
        int port = switch (type) {
            case TLS -> listener.get("port").intValue(DEFAULT_TLS_PORT);
            case SECURE_WEBSOCKET -> listener.get("port").intValue(DEFAULT_SECURE_WEBSOCKET_PORT);
            default -> listener.get("port").intValue();
        };
        String path = listener.get("path").string(null);
        boolean allowAnonymous = listener.get("allow-anonymous").booleanValue(false);
        int maxConnections = listener.get("max-connections").intValue(0);
        boolean allowPlaintext = listener.get("allow-plaintext").booleanValue(false);
        ConfigNode tlsNode = listener.get("tls");
        TlsSettings tls = null;
        if (!tlsNode.isAbsentOrNull()) {
            if (!type.isTls() && type != ListenerType.ADMIN) {
                throw tlsNode.error("is only allowed on tls, secure-websocket and admin listeners");
            }
            tls = TlsSection.read(tlsNode);
        }
        IdentityLimits.Rate connectionRate = rate(listener, "connection-rate", "connection-burst");
        AddressLimits perAddress = perAddress(listener.get("per-address"));
        ConfigNode limitsNode = listener.get("limits");
        IdentityLimits limits = LimitsSection.read(limitsNode);
        if (limits.setsQueue()) {
            String key = LimitsSyntax.QUEUE_KEYS.stream().filter(k -> !limitsNode.get(k).isAbsentOrNull()).findFirst()
                    .orElse(LimitsSyntax.QUEUE_KEYS.get(0));
            throw limitsNode.get(key).error("is set on the listener itself (listeners[]." + key
                    + "), not in its limits; roles and users set it in their limits");
        }
        try {
            ConfigNode maxQueued = listener.get("max-queued-messages");
            if (!maxQueued.isAbsentOrNull() && maxQueued.intValue() < 1) {
                throw maxQueued.error("must be at least 1");
            }
            ListenerQueue queue = new ListenerQueue(maxQueued.intValue(0),
                    listener.get("max-queued-bytes").longSizeValue(-1),
                    listener.get("queue-overflow").enumValue(QueueOverflowPolicy.class, null));
            return new ListenerConfig(type, name, bind, port, path, allowAnonymous, tls, maxConnections, allowPlaintext,
                    connectionRate, perAddress, limits, queue);
        } catch (IllegalArgumentException e) {
            throw listener.invalid(e);
        }
    }

    private static AddressLimits perAddress(ConfigNode node) throws ConfigException {
        if (node.isAbsentOrNull()) {
            return null;
        }
        node.requireKeys(PER_ADDRESS_KEYS);
        int maxConnections = node.get("max-connections").intValue(0);
        IdentityLimits.Rate rate = rate(node, "connection-rate", "connection-burst");
        try {
            return new AddressLimits(maxConnections, rate,
                    node.get("ipv4-prefix-length").intValue(AddressLimits.DEFAULT_IPV4_PREFIX_LENGTH),
                    node.get("ipv6-prefix-length").intValue(AddressLimits.DEFAULT_IPV6_PREFIX_LENGTH));
        } catch (IllegalArgumentException e) {
            throw node.invalid(e);
        }
    }

    /** A rate per second and its burst (default: one second's worth); {@code null} when the rate is absent. */
    private static IdentityLimits.Rate rate(ConfigNode parent, String rateKey, String burstKey) throws ConfigException {
        ConfigNode rateNode = parent.get(rateKey);
        ConfigNode burstNode = parent.get(burstKey);
        if (rateNode.isAbsentOrNull()) {
            if (!burstNode.isAbsentOrNull()) {
                throw burstNode.error("needs " + rateKey);
            }
            return null;
        }
        double perSecond = rateNode.decimalValue();
        if (!(perSecond > 0) || perSecond > IdentityLimits.Rate.MAX) {
            throw rateNode.error("must be above 0 and at most 10^15");
        }
        if (burstNode.isAbsentOrNull()) {
            return IdentityLimits.Rate.perSecond(perSecond);
        }
        double burst = burstNode.decimalValue();
        if (burst < 1 || burst > IdentityLimits.Rate.MAX) {
            throw burstNode.error("must be at least 1 and at most 10^15");
        }
        return new IdentityLimits.Rate(perSecond, burst);
    }
}
