package io.rampart.cluster.session;

import io.rampart.cluster.grid.SessionKeys;
import io.rampart.core.memory.BudgetSettings;
import io.rampart.core.memory.MemoryBudget;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ReplicaAccountingTest {

    private final MemoryBudget budget = new MemoryBudget(new BudgetSettings(1_000_000, 60, 80, 80), 0);
    private final ReplicaAccounting replicas = new ReplicaAccounting(budget, Set.of("mine")::contains);
    private final Map<String, Object> stored = new LinkedHashMap<>();

    @Test
    void copiesOfOtherNodesSessions_countInTheBudget_andLeaveItWhenRemoved() {
        stored.put(SessionKeys.record("mine"), new byte[5_000]);
        stored.put(SessionKeys.message("mine", 1), new byte[5_000]);
        stored.put(SessionKeys.home("theirs"), "node-2-id");
        stored.put(SessionKeys.record("theirs"), new byte[1_000]);
        stored.put(SessionKeys.message("theirs", 1), new byte[100_000]);

        long counted = replicas.sweep(stored.entrySet());
        assertThat(counted).isEqualTo(ReplicaAccounting.estimate(SessionKeys.home("theirs"), "node-2-id")
                + ReplicaAccounting.estimate(SessionKeys.record("theirs"), new byte[1_000])
                + ReplicaAccounting.estimate(SessionKeys.message("theirs", 1), new byte[100_000]));
        assertThat(budget.used()).isEqualTo(counted);

        stored.remove(SessionKeys.message("theirs", 1));
        long after = replicas.sweep(stored.entrySet());
        assertThat(after).isLessThan(counted - 100_000);
        assertThat(budget.used()).isEqualTo(after);

        replicas.close();
        assertThat(budget.used()).isZero();
    }

    @Test
    void copiesBeyondTheBudget_bringBackPressureAndRefusal() {
        for (int i = 0; i < 8; i++) {
            stored.put(SessionKeys.message("theirs", i), new byte[100_000]);
        }
        replicas.sweep(stored.entrySet());
        assertThat(budget.level()).isEqualTo(MemoryBudget.SHED_QOS0);
        assertThat(budget.tryReserve(300_000)).isFalse();

        stored.clear();
        replicas.sweep(stored.entrySet());
        assertThat(budget.level()).isEqualTo(MemoryBudget.NORMAL);
        assertThat(budget.tryReserve(300_000)).isTrue();
    }
}
