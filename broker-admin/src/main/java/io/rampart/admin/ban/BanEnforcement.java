package io.rampart.admin.ban;

import io.rampart.admin.broker.ClientDirectory;
import io.rampart.admin.broker.ClientDirectory.ClientSummary;

import java.util.Iterator;

/**
 * What a new ban does at once: the live sessions it hits on this node are disconnected (MQTT 5: DISCONNECT 0x98); on a
 * node of a cluster every other node does the same with its own when it hears of the ban.
 */
public final class BanEnforcement {

    private BanEnforcement() {
    }

    /** Disconnects the live sessions of this node {@code ban} hits; the count. */
    public static int disconnectHit(Ban ban, ClientDirectory clients) {
        int n = 0;
        Iterator<ClientSummary> it = clients.fromThisNode(null, false);
        while (it.hasNext()) {
            ClientSummary c = it.next();
            if (c.connected() && ban.matches(c.clientId(), c.username(),
                    c.address() == null ? null : c.address().getAddress())) {
                clients.disconnect(c.clientId(), "banned: " + (ban.reason().isEmpty() ? ban.describe() : ban.reason()));
                n++;
            }
        }
        return n;
    }
}
