package io.rampart.cluster.membership;

import org.jgroups.Address;
import org.jgroups.util.NameCache;
import org.jgroups.util.UUID;

/**
 * One node of the current view. Identified by its incarnation ({@code id}: the JGroups address, new at every start),
 * not by its name: a node that restarts under the same name is another member, and a name that JGroups has not learnt
 * yet never changes who a member is.
 *
 * @param name    its configured node name (its id until JGroups has learnt the name)
 * @param id      its incarnation
 * @param address its JGroups address
 */
public record Member(String name, String id, Address address) {

    public static Member of(Address address) {
        String id = address instanceof UUID uuid ? uuid.toStringLong() : address.toString();
        String name = NameCache.get(address);
        return new Member(name == null ? id : name, id, address);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Member m && m.id.equals(id);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }
}
