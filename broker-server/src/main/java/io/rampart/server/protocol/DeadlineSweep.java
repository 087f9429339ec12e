package io.rampart.server.protocol;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The connect timeouts and keep alives of a listener's connections, checked by one repeating task per event loop
 * instead of a timer (and a keep-alive handler) per connection: an idle connection then costs a slot in an array,
 * not a scheduled task. Every {@link #PERIOD_MILLIS} ms the task asks each member of its event loop whether one of
 * its deadlines passed. A deadline is acted on up to one period after it passed, never before; a keep alive up to two,
 * as a member notes the time of its latest packet when the sweep comes by rather than per packet.
 *
 * <p>A member joins and leaves on its own event loop, and the task runs there too: the per-loop list needs no lock.
 * The task stops when the last member of its loop leaves.
 */
public final class DeadlineSweep {

    /** How often each event loop checks its members. */
    public static final long PERIOD_MILLIS = 500;

    /** A connection with deadlines. */
    interface Member {

        /** Called on the member's event loop once per period with the time of its loop's ticker, in nanoseconds. */
        void checkDeadlines(long now);

        /** Where the member sits in its loop's list, or -1; only the sweep sets it. */
        int sweepSlot();

        void sweepSlot(int slot);
    }

    private final Map<EventExecutor, Loop> loops = new ConcurrentHashMap<>();

    /** Adds {@code member} to the list of {@code executor}, its event loop; call on that loop. */
    void join(EventExecutor executor, Member member) {
        if (member.sweepSlot() < 0) {
            loops.computeIfAbsent(executor, Loop::new).add(member);
        }
    }

    /** Removes {@code member} from the list of {@code executor}, if it is there; call on that loop. */
    void leave(EventExecutor executor, Member member) {
        if (member.sweepSlot() < 0) {
            return;
        }
        Loop loop = loops.get(executor);
        if (loop != null) {
            loop.remove(member);
        }
    }

    /** How many connections the sweep watches on all event loops (for tests). */
    int size() {
        return loops.values().stream().mapToInt(l -> l.size).sum();
    }

    private final class Loop implements Runnable {

        private final EventExecutor executor;
        private Member[] members = new Member[64];
        private int size;
        private ScheduledFuture<?> task;

        Loop(EventExecutor executor) {
            this.executor = executor;
        }

        void add(Member member) {
            if (size == members.length) {
                members = Arrays.copyOf(members, size * 2);
            }
            member.sweepSlot(size);
            members[size++] = member;
            if (task == null) {
                task = executor.scheduleAtFixedRate(this, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
            }
        }

        void remove(Member member) {
            int slot = member.sweepSlot();
            if (slot >= size || members[slot] != member) {
                return;
            }
            Member last = members[--size];
            members[slot] = last;
            last.sweepSlot(slot);
            members[size] = null;
            member.sweepSlot(-1);
            if (size == 0) {
                task.cancel(false);
                task = null;
                loops.remove(executor, this);
            } else if (members.length > 256 && size < members.length / 4) {
                members = Arrays.copyOf(members, members.length / 2);
            }
        }

        @Override
        public void run() {
            long now = executor.ticker().nanoTime();
            // A member may leave while it is checked (it closes at once): the one moved into its slot is checked next.
            for (int i = 0; i < size; ) {
                Member m = members[i];
                m.checkDeadlines(now);
                if (i < size && members[i] == m) {
                    i++;
                }
            }
        }
    }
}
