package io.rampart.server.protocol;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class DeadlineSweepTest {

    private final MockTicker ticker = Ticker.newMockTicker();
    private final EmbeddedChannel loop = EmbeddedChannel.builder().ticker(ticker).build();
    private final DeadlineSweep sweep = new DeadlineSweep();

    @AfterEach
    void close() {
        loop.finishAndReleaseAll();
    }

    /** A member that leaves the sweep when its deadline passes, as a connection does when it closes. */
    private final class Member implements DeadlineSweep.Member {
        final long deadline;
        final List<Long> checks = new ArrayList<>();
        int slot = -1;
        boolean expired;

        Member(long deadline) {
            this.deadline = deadline;
        }

        @Override
        public void checkDeadlines(long now) {
            checks.add(now);
            if (now >= deadline) {
                expired = true;
                sweep.leave(loop.eventLoop(), this);
            }
        }

        @Override
        public int sweepSlot() {
            return slot;
        }

        @Override
        public void sweepSlot(int slot) {
            this.slot = slot;
        }
    }

    private void periods(int n) {
        for (int i = 0; i < n; i++) {
            ticker.advance(DeadlineSweep.PERIOD_MILLIS, TimeUnit.MILLISECONDS);
            loop.runScheduledPendingTasks();
        }
    }

    @Test
    void everyMemberIsChecked_andExpiredOnesLeave_whileTheirNeighboursStay() {
        long start = ticker.nanoTime();
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            Member m = new Member(start + TimeUnit.MILLISECONDS.toNanos(DeadlineSweep.PERIOD_MILLIS * (1 + i % 3)));
            members.add(m);
            sweep.join(loop.eventLoop(), m);
        }
        assertThat(sweep.size()).isEqualTo(1_000);

        periods(1);
        assertThat(members).allSatisfy(m -> assertThat(m.checks).hasSize(1));
        assertThat(members.stream().filter(m -> m.expired)).hasSize(334);
        assertThat(sweep.size()).isEqualTo(666);

        periods(2);
        assertThat(members).allSatisfy(m -> assertThat(m.expired).isTrue());
        assertThat(sweep.size()).isZero();
        assertThat(loop.eventLoop().isShuttingDown()).isFalse();
    }

    @Test
    void leavingMember_isNotCheckedAgain_andOthersKeepTheirSlots() {
        Member a = new Member(Long.MAX_VALUE);
        Member b = new Member(Long.MAX_VALUE);
        Member c = new Member(Long.MAX_VALUE);
        sweep.join(loop.eventLoop(), a);
        sweep.join(loop.eventLoop(), b);
        sweep.join(loop.eventLoop(), c);

        sweep.leave(loop.eventLoop(), a);
        sweep.leave(loop.eventLoop(), a);
        periods(1);

        assertThat(a.checks).isEmpty();
        assertThat(a.slot).isEqualTo(-1);
        assertThat(b.checks).hasSize(1);
        assertThat(c.checks).hasSize(1);
        assertThat(sweep.size()).isEqualTo(2);
    }

    @Test
    void lastMemberLeaving_stopsTheTask_andANewMemberStartsItAgain() {
        Member a = new Member(Long.MAX_VALUE);
        sweep.join(loop.eventLoop(), a);
        sweep.leave(loop.eventLoop(), a);

        periods(2);
        assertThat(a.checks).isEmpty();
        assertThat(loop.runScheduledPendingTasks()).as("no timer left").isEqualTo(-1);

        Member b = new Member(Long.MAX_VALUE);
        sweep.join(loop.eventLoop(), b);
        periods(2);
        assertThat(b.checks).hasSize(2);
    }
}
