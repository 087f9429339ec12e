package io.rampart.cluster.membership;

import org.jgroups.Address;
import org.jgroups.util.NameCache;
import org.jgroups.util.UUID;

/**
 * One node of the current view.
 *
 * @param name    its configured node name
 * @param id      its name and incarnation ({@code name#uuid}): a node that restarts under the same name is a new id
 * @param address its JGroups address
 */
public record Member(String name, String id, Address address) {

    public static Member of(Address address) {
        String name = NameCache.get(address);
        if (name == null) {
            name = address.toString();
        }
        String incarnation = address instanceof UUID uuid ? uuid.toStringLong() : address.toString();
        return new Member(name, name + "#" + incarnation, address);
    }

    @Override
    public String toString() {
        return name;
    }
}
