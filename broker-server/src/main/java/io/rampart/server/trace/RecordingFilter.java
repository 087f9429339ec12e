package io.rampart.server.trace;

import io.netty.handler.codec.mqtt.MqttMessageType;
import io.rampart.admin.broker.TraceRecordings;
import io.rampart.admin.net.Cidr;
import io.rampart.core.topic.Topics;
import io.rampart.server.observe.PacketRecord;
import io.rampart.server.observe.TapSubject;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * What one recording selects, compiled and checked: connections by client-id regex, user name and address network;
 * packets by type and topic filter.
 */
final class RecordingFilter {

    /** The packet types MQTT has (every one may be recorded). */
    static final Set<String> TYPES = Arrays.stream(MqttMessageType.values()).map(Enum::name)
            .collect(Collectors.toUnmodifiableSet());
    private static final int MAX_PATTERN = 1024;

    private final Pattern clientId;
    private final String username;
    private final Cidr network;
    private final String topic;
    private final Set<String> types;

    private RecordingFilter(Pattern clientId, String username, Cidr network, String topic, Set<String> types) {
        this.clientId = clientId;
        this.username = username;
        this.network = network;
        this.topic = topic;
        this.types = types;
    }

    /** @throws IllegalArgumentException "field: reason" when the request selects nothing valid */
    static RecordingFilter compile(TraceRecordings.Request r) {
        if (r.clientId() == null && r.username() == null && r.address() == null && r.topic() == null) {
            throw new IllegalArgumentException("a recording must select clients or topics: give clientId, username,"
                    + " address or topic");
        }
        Pattern pattern = null;
        if (r.clientId() != null) {
            if (r.clientId().length() > MAX_PATTERN) {
                throw new IllegalArgumentException("clientId: is longer than " + MAX_PATTERN + " characters");
            }
            try {
                pattern = Pattern.compile(r.clientId());
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("clientId: is not a valid regular expression ("
                        + e.getDescription() + ")");
            }
        }
        if (r.username() != null && r.username().length() > 65_535) {
            throw new IllegalArgumentException("username: is longer than 65535 characters");
        }
        Cidr network = null;
        if (r.address() != null) {
            try {
                network = Cidr.parse(r.address());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("address: " + e.getMessage());
            }
        }
        if (r.topic() != null) {
            String problem = Topics.validateTopicFilter(r.topic(), 65_535, 65_535);
            if (problem != null) {
                throw new IllegalArgumentException("topic: " + problem);
            }
        }
        for (String t : r.packetTypes()) {
            if (!TYPES.contains(t.toUpperCase(Locale.ROOT))) {
                throw new IllegalArgumentException("packetTypes: " + t + " is not an MQTT packet type (one of "
                        + TYPES.stream().sorted().collect(Collectors.joining(", ")) + ")");
            }
        }
        return new RecordingFilter(pattern, r.username(), network, r.topic(), Set.copyOf(r.packetTypes()));
    }

    private boolean selectsClients() {
        return clientId != null || username != null || network != null;
    }

    /** Whether packets of {@code subject}'s connection may be recorded at all. */
    boolean selects(TapSubject subject) {
        return (clientId == null || clientId.matcher(subject.clientId()).matches())
                && (username == null || username.equals(subject.username()))
                && (network == null || subject.address() != null && network.contains(subject.address()));
    }

    boolean wants(String type) {
        return types.isEmpty() || types.contains(type);
    }

    /**
     * Whether the packet passes the topic filter: its topic (PUBLISH, a CONNECT's will) matches, or one of its
     * filters (SUBSCRIBE, UNSUBSCRIBE) overlaps it. Packets without a topic pass only when the recording also
     * selects clients.
     */
    boolean passes(PacketRecord record) {
        if (topic == null) {
            return true;
        }
        List<String> topics = record.topics();
        if (topics.isEmpty()) {
            return selectsClients();
        }
        boolean filters = record.type().equals("SUBSCRIBE") || record.type().equals("UNSUBSCRIBE");
        for (String t : topics) {
            String name = filters && Topics.isShared(t) ? Topics.shareFilter(t) : t;
            if (filters ? overlap(topic, name) : Topics.matches(topic, name)) {
                return true;
            }
        }
        return false;
    }

    /** Whether some topic matches both filters. */
    static boolean overlap(String a, String b) {
        String[] x = a.split("/", -1);
        String[] y = b.split("/", -1);
        int n = Math.min(x.length, y.length);
        for (int i = 0; i < n; i++) {
            if (x[i].equals("#") || y[i].equals("#")) {
                return !(i == 0 && (x[0].startsWith("$") || y[0].startsWith("$")) && !x[0].equals(y[0]));
            }
            if (x[i].equals("+") || y[i].equals("+")) {
                if (i == 0 && (x[0].startsWith("$") || y[0].startsWith("$"))) {
                    return false;
                }
                continue;
            }
            if (!x[i].equals(y[i])) {
                return false;
            }
        }
        if (x.length == y.length) {
            return true;
        }
        // the longer one may continue where the shorter ends with "#" (handled above) or "a/#" matching "a"
        String[] longer = x.length > y.length ? x : y;
        return longer.length == n + 1 && longer[n].equals("#");
    }
}
