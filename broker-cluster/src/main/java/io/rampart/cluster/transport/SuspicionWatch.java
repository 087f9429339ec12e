package io.rampart.cluster.transport;

import org.jgroups.Address;
import org.jgroups.Event;
import org.jgroups.stack.Protocol;

import java.util.Collection;
import java.util.function.Consumer;

/**
 * Sits above the failure detection of the JGroups stack and reports each verified suspicion (a node that stopped
 * answering) before membership acts on it; passes every event on unchanged.
 */
public final class SuspicionWatch extends Protocol {

    private volatile Consumer<Address> listener = a -> { };

    public void listener(Consumer<Address> onSuspected) {
        this.listener = onSuspected;
    }

    @Override
    public Object up(Event evt) {
        if (evt.getType() == Event.SUSPECT && evt.getArg() instanceof Collection<?> suspects) {
            for (Object s : suspects) {
                if (s instanceof Address a) {
                    listener.accept(a);
                }
            }
        }
        return up_prot.up(evt);
    }
}
