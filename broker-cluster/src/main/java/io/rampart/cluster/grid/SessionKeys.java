package io.rampart.cluster.grid;

import org.infinispan.distribution.group.Grouper;

/**
 * Keys of the sessions cache. Everything of one client id lives on the same nodes (one group per client id), so a
 * session's writes go to one primary node in one call:
 *
 * <pre>
 * h\0{client id}         the node id of the session's home (a String)
 * s\0{client id}         the session record: owner, expiry, will, subscriptions, connection
 * c\0{client id}         the cursor: lowest live and next sequence number of its queued messages
 * m\0{client id}\0{seq}  one queued or inflight QoS 1/2 message
 * </pre>
 *
 * MQTT strings never contain U+0000 (MQTT 5 §1.5.4), so the separator cannot occur in a client id.
 */
public final class SessionKeys implements Grouper<String> {

    private static final char SEP = '\0';

    public static String home(String clientId) {
        return "h" + SEP + clientId;
    }

    public static String record(String clientId) {
        return "s" + SEP + clientId;
    }

    public static String cursor(String clientId) {
        return "c" + SEP + clientId;
    }

    public static String message(String clientId, long seq) {
        return "m" + SEP + clientId + SEP + seq;
    }

    public static boolean isHome(String key) {
        return key.length() > 2 && key.charAt(0) == 'h' && key.charAt(1) == SEP;
    }

    /** The client id of any key of this cache. */
    public static String clientId(String key) {
        int end = key.indexOf(SEP, 2);
        return end < 0 ? key.substring(2) : key.substring(2, end);
    }

    @Override
    public Object computeGroup(String key, Object group) {
        return key.length() > 2 && key.charAt(1) == SEP ? clientId(key) : group;
    }

    @Override
    public Class<String> getKeyType() {
        return String.class;
    }
}
