package io.rampart.server.observe;

import io.netty.util.concurrent.EventExecutor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Where observers of connections sign up packet by packet: each {@link PacketTap} chooses the connections it wants
 * to see. The connection code reads one volatile field per CONNECT ({@link #taps()}); a connection no tap wants
 * carries no extra handler, so with nobody signed up that read is all the broker pays. Watchers of routed PUBLISH
 * messages ({@link PublishWatch}) are asked once per connection, at CONNACK.
 */
public final class Observers {

    private volatile List<PacketTap> taps = List.of();
    private volatile Runnable retapLive = () -> {
    };
    private volatile Function<EventExecutor, PublishWatch> publishWatches = loop -> null;

    /** The packet taps, empty when there are none. */
    public List<PacketTap> taps() {
        return taps;
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

    /** What watches the PUBLISH messages of a connection served on {@code loop}, or {@code null} when nothing does. */
    public PublishWatch publishWatch(EventExecutor loop) {
        return publishWatches.apply(loop);
    }

    /** Who makes the per-connection {@link PublishWatch} (connections admitted from now on). */
    public void watchPublishes(Function<EventExecutor, PublishWatch> watches) {
        this.publishWatches = watches;
    }
}
