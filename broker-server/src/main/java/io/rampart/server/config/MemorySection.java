package io.rampart.server.config;

import io.rampart.core.memory.BudgetSettings;

import java.util.List;

/**
 * Maps the {@code memory:} section onto {@link BudgetSettings}. The budget is a size ({@code 512MB}) or a share of the
 * maximum heap ({@code 25%}, the default), resolved when the configuration is read.
 */
final class MemorySection {

    static final List<String> KEYS = List.of("budget", "back-pressure-at", "shed-qos0-at", "not-ready-at");

    private MemorySection() {
    }

    static BudgetSettings read(ConfigNode memory, long maxHeapBytes) throws ConfigException {
        BudgetSettings d = BudgetSettings.ofHeap(maxHeapBytes);
        if (memory.isAbsentOrNull()) {
            return d;
        }
        memory.requireKeys(KEYS);
        ConfigNode budgetNode = memory.get("budget");
        long budget = d.limitBytes();
        if (budgetNode.isPercent()) {
            budget = maxHeapBytes / 100 * budgetNode.percentValue();
        } else if (!budgetNode.isAbsent()) {
            budget = budgetNode.longSizeValue();
        }
        try {
            return new BudgetSettings(budget,
                    memory.get("back-pressure-at").percentValue(d.backPressurePercent()),
                    memory.get("shed-qos0-at").percentValue(d.shedQos0Percent()),
                    memory.get("not-ready-at").percentValue(d.notReadyPercent()));
        } catch (IllegalArgumentException e) {
            throw memory.invalid(e);
        }
    }
}
