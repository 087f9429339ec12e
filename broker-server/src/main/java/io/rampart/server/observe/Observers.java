package io.rampart.server.observe;

import io.rampart.core.message.Message;

import java.util.ArrayList;
import java.util.List;

/**
 * Where observers of the message path sign up: {@link MessageObserver}s see every message in and out, and
 * {@link PacketTap}s choose connections to see packet by packet. The connection code reads one volatile field per
 * message ({@link #messages()}) and one per CONNECT ({@link #taps()}); with nobody signed up that is all it pays.
 */
public final class Observers {

    private final List<MessageObserver> messageObservers = new ArrayList<>();
    private volatile MessageObserver messages;
    private volatile List<PacketTap> taps = List.of();
    private volatile Runnable retapLive = () -> {
    };

    /** Who observes messages (several behind one), or {@code null} when nobody does. */
    public MessageObserver messages() {
        return messages;
    }

    /** The packet taps, empty when there are none. */
    public List<PacketTap> taps() {
        return taps;
    }

    public synchronized void addMessageObserver(MessageObserver observer) {
        messageObservers.add(observer);
        messages = combined(List.copyOf(messageObservers));
    }

    public synchronized void removeMessageObserver(MessageObserver observer) {
        messageObservers.remove(observer);
        messages = combined(List.copyOf(messageObservers));
    }

    /** Adds a tap; live connections are asked again whether it wants them. */
    public void addTap(PacketTap tap) {
        synchronized (this) {
            List<PacketTap> more = new ArrayList<>(taps);
            more.add(tap);
            taps = List.copyOf(more);
        }
        tapsChanged();
    }

    public void removeTap(PacketTap tap) {
        synchronized (this) {
            List<PacketTap> fewer = new ArrayList<>(taps);
            fewer.remove(tap);
            taps = List.copyOf(fewer);
        }
        tapsChanged();
    }

    /** What a tap selects has changed: every live connection asks the taps again, on its own event loop. */
    public void tapsChanged() {
        retapLive.run();
    }

    /** How to make every live connection ask the taps again (set by the broker once its connections exist). */
    public void onTapsChanged(Runnable retap) {
        this.retapLive = retap;
    }

    private static MessageObserver combined(List<MessageObserver> all) {
        if (all.isEmpty()) {
            return null;
        }
        if (all.size() == 1) {
            return all.get(0);
        }
        MessageObserver[] each = all.toArray(new MessageObserver[0]);
        return new MessageObserver() {
            @Override
            public void published(String clientId, Message message) {
                for (MessageObserver o : each) {
                    o.published(clientId, message);
                }
            }

            @Override
            public void delivered(String clientId, Message message) {
                for (MessageObserver o : each) {
                    o.delivered(clientId, message);
                }
            }
        };
    }
}
