package io.rampart.core.memory;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MemoryBudgetTest {

    /** 100 000 bytes; back-pressure at 60 %, QoS 0 shed at 80 %, not ready at 90 %. */
    private static final BudgetSettings SETTINGS = new BudgetSettings(100_000, 60, 80, 90);

    @Test
    void tryReserve_neverGoesPastTheLimit() {
        MemoryBudget budget = new MemoryBudget(SETTINGS, 0);
        assertThat(budget.tryReserve(99_000)).isTrue();
        assertThat(budget.tryReserve(1_001)).isFalse();
        assertThat(budget.used()).isEqualTo(99_000);
        assertThat(budget.tryReserve(1_000)).isTrue();
        assertThat(budget.tryReserve(1)).isFalse();
        budget.release(100_000);
        assertThat(budget.used()).isZero();
    }

    @Test
    void levels_followTheMarks_andEachLastsUntilNineTenthsOfItsMark() {
        MemoryBudget budget = new MemoryBudget(SETTINGS, 0);
        java.util.List<Integer> changes = new java.util.ArrayList<>();
        budget.watch((level, used, limit) -> changes.add(level));
        budget.tryReserve(59_999);
        assertThat(budget.level()).isEqualTo(MemoryBudget.NORMAL);
        budget.tryReserve(1);
        assertThat(budget.level()).isEqualTo(MemoryBudget.BACK_PRESSURE);
        budget.tryReserve(20_000);
        assertThat(budget.level()).isEqualTo(MemoryBudget.SHED_QOS0);
        assertThat(budget.isAboveReadinessMark()).isFalse();
        budget.tryReserve(10_000);
        assertThat(budget.isAboveReadinessMark()).isTrue();
        budget.release(15_000); // 75 000: under the QoS 0 mark, above nine tenths of it (72 000)
        assertThat(budget.level()).isEqualTo(MemoryBudget.SHED_QOS0);
        budget.release(20_000); // 55 000: under the back-pressure mark, above nine tenths of it (54 000)
        assertThat(budget.level()).isEqualTo(MemoryBudget.BACK_PRESSURE);
        budget.release(1_001);
        assertThat(budget.level()).isEqualTo(MemoryBudget.NORMAL);
        assertThat(changes).containsExactly(MemoryBudget.BACK_PRESSURE, MemoryBudget.SHED_QOS0,
                MemoryBudget.BACK_PRESSURE, MemoryBudget.NORMAL);
    }

    @Test
    void whenRoom_wakesOnceUsageIsUnderNineTenthsOfTheBackPressureMark() {
        MemoryBudget budget = new MemoryBudget(SETTINGS, 0);
        budget.tryReserve(70_000);
        AtomicInteger woken = new AtomicInteger();
        budget.whenRoom(woken::incrementAndGet);
        budget.release(15_000); // 55 000
        assertThat(woken).hasValue(0);
        budget.release(1_001); // 53 999
        assertThat(woken).hasValue(1);
        budget.release(50_000);
        assertThat(woken).as("each registration wakes once").hasValue(1);
    }

    @Test
    void whenRoom_wakesAtOnceWhenThereIsRoom() {
        MemoryBudget budget = new MemoryBudget(SETTINGS, 0);
        AtomicInteger woken = new AtomicInteger();
        budget.whenRoom(woken::incrementAndGet);
        assertThat(woken).hasValue(1);
    }

    @Test
    void isFullest_meansAboveTheFairShareAndTheFloor() {
        MemoryBudget budget = new MemoryBudget(SETTINGS, 0);
        budget.sharedBy(() -> 4);
        budget.tryReserve(80_000);
        assertThat(budget.isFullest(20_000)).isTrue();
        assertThat(budget.isFullest(19_999)).isFalse();
        budget.sharedBy(() -> 1_000);
        assertThat(budget.isFullest(1_000)).as("floor: 1/64 of the budget").isFalse();
        assertThat(budget.isFullest(1_563)).isTrue();
    }

    @Test
    void threadCredit_keepsTheSharedCounterWithinTwoChunksPerThread() throws Exception {
        MemoryBudget budget = new MemoryBudget(new BudgetSettings(10_000_000, 60, 80, 90), 4_096);
        for (int i = 0; i < 1_000; i++) {
            assertThat(budget.tryReserve(100)).isTrue();
        }
        assertThat(budget.used()).isBetween(100_000L, 100_000L + 2 * 4_096);
        CountDownLatch done = new CountDownLatch(1);
        Thread other = new Thread(() -> {
            for (int i = 0; i < 1_000; i++) {
                budget.release(100);
            }
            done.countDown();
        });
        other.start();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(budget.used()).as("released on another thread: at most its two chunks and ours remain")
                .isBetween(0L, 4L * 4_096);
    }

    @Test
    void threadCredit_stillRefusesPastTheLimit() {
        MemoryBudget budget = new MemoryBudget(new BudgetSettings(100_000, 60, 80, 90), 4_096);
        long taken = 0;
        while (budget.tryReserve(1_000)) {
            taken += 1_000;
        }
        assertThat(taken).isEqualTo(100_000);
        assertThat(budget.used()).isEqualTo(100_000);
    }

    @Test
    void settings_rejectImpossibleValues() {
        assertThatThrownBy(() -> new BudgetSettings(1_000, 60, 80, 90)).hasMessageStartingWith("budget:");
        assertThatThrownBy(() -> new BudgetSettings(100_000, 0, 80, 90)).hasMessageStartingWith("back-pressure-at:");
        assertThatThrownBy(() -> new BudgetSettings(100_000, 60, 101, 90)).hasMessageStartingWith("shed-qos0-at:");
        assertThatThrownBy(() -> new BudgetSettings(100_000, 80, 60, 90)).hasMessageStartingWith("shed-qos0-at:");
        assertThat(BudgetSettings.ofHeap(1L << 30).limitBytes()).isEqualTo((1L << 30) / 100 * 25);
    }
}
