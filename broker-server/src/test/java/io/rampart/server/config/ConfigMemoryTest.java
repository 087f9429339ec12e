package io.rampart.server.config;

import io.rampart.core.memory.BudgetSettings;
import org.junit.jupiter.api.Test;

import static io.rampart.server.config.ConfigLoaderTest.failure;
import static org.assertj.core.api.Assertions.assertThat;

class ConfigMemoryTest {

    private static final String LISTENER = "listeners:\n  - {type: tcp, name: t, port: 1883}\n";
    private static final long HEAP = Runtime.getRuntime().maxMemory();

    private static BudgetSettings memory(String section) throws ConfigException {
        return ConfigLoaderTest.parse(LISTENER + "memory:\n" + section.indent(2)).memory();
    }

    private static String failureReason(String section) {
        return failure(LISTENER + "memory:\n" + section.indent(2)).getMessage();
    }

    @Test
    void absent_isAQuarterOfTheHeap_withTheDefaultMarks() throws ConfigException {
        BudgetSettings d = ConfigLoaderTest.parse(LISTENER).memory();
        assertThat(d).isEqualTo(new BudgetSettings(HEAP / 100 * 25, 60, 80, 80));
    }

    @Test
    void budget_isASizeOrAShareOfTheHeap() throws ConfigException {
        assertThat(memory("budget: 512MB").limitBytes()).isEqualTo(512L << 20);
        assertThat(memory("budget: 8GB").limitBytes()).isEqualTo(8L << 30);
        assertThat(memory("budget: 10%").limitBytes()).isEqualTo(HEAP / 100 * 10);
    }

    @Test
    void marks_arePercentages() throws ConfigException {
        BudgetSettings s = memory("""
                budget: 1MB
                back-pressure-at: 50%
                shed-qos0-at: 70%
                not-ready-at: 90
                """);
        assertThat(s).isEqualTo(new BudgetSettings(1L << 20, 50, 70, 90));
    }

    @Test
    void impossibleValues_areRefusedWithTheirKey() {
        assertThat(failureReason("budget: 1KB")).isEqualTo("test.yaml: memory.budget: must be at least 64KB (was 1024 bytes)");
        assertThat(failureReason("budget: 150%"))
                .isEqualTo("test.yaml: memory.budget: must be a percentage from 1% to 100% (was \"150%\")");
        assertThat(failureReason("back-pressure-at: 0%"))
                .isEqualTo("test.yaml: memory.back-pressure-at: must be a percentage from 1% to 100% (was \"0%\")");
        assertThat(failureReason("back-pressure-at: 90%\nshed-qos0-at: 70%"))
                .isEqualTo("test.yaml: memory.shed-qos0-at: must not be below back-pressure-at (70% < 90%)");
        assertThat(failureReason("budgett: 1MB")).contains("memory.budgett").contains("budget");
    }
}
