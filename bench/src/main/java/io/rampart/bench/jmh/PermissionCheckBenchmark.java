package io.rampart.bench.jmh;

import io.rampart.security.permission.Activity;
import io.rampart.security.permission.CompiledPermissions;
import io.rampart.security.permission.Effect;
import io.rampart.security.permission.Permission;
import io.rampart.security.spi.IdentityVariables;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Cost of the per-packet authorization checks of {@link CompiledPermissions} (PUBLISH, SUBSCRIBE, delivery)
 * for a realistic device role: ten rules, placeholders substituted for the session, one DENY. Run with
 * {@code -prof gc}: every check must be allocation-free. The baselines are what a listener without a
 * pipeline pays ({@code unrestricted}: always true) and an empty rule set ({@code noRules}: always false).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PermissionCheckBenchmark {

    /** The rule set of the role, in the order the realm file lists it. */
    static final List<Permission> ROLE = List.of(
            Permission.deny("devices/+/secrets/#", Activity.ALL),
            new Permission("devices/${mqtt-clientid}/telemetry", Activity.PUBLISH, 0b011, false, false, Set.of(),
                    Effect.ALLOW),
            new Permission("devices/${mqtt-clientid}/status", Activity.PUBLISH, 0b011, true, false, Set.of(),
                    Effect.ALLOW),
            Permission.allow("devices/${mqtt-clientid}/commands/#", Activity.SUBSCRIBE),
            Permission.allow("config/${mqtt-clientid}", Activity.SUBSCRIBE),
            Permission.allow("users/${mqtt-username}/#", Activity.ALL),
            Permission.allow("plants/${mqtt-username}/+/alarms", Activity.PUBLISH),
            Permission.allow("plants/${mqtt-username}/broadcast", Activity.SUBSCRIBE),
            Permission.allow("firmware/+/latest", Activity.SUBSCRIBE),
            Permission.allow("groups/${mqtt-username}/${mqtt-clientid}/#", Activity.ALL));

    // Non-final fields, so the JIT cannot fold the arguments into constants.
    String ownTelemetry = "devices/sensor-0042/telemetry";
    String lastPublishRule = "groups/plant-7/sensor-0042/heartbeat";
    String otherDevice = "devices/sensor-0043/telemetry";
    String secret = "devices/sensor-0042/secrets/key";
    String commandsFilter = "devices/sensor-0042/commands/#";
    String secretsFilter = "devices/sensor-0042/secrets/#";
    String commandTopic = "devices/sensor-0042/commands/reboot";
    String broadcastTopic = "plants/plant-7/broadcast";
    int qos = 1;

    private CompiledPermissions role;
    private CompiledPermissions none;

    @Setup
    public void setUp() {
        IdentityVariables vars = new IdentityVariables()
                .set(IdentityVariables.CLIENT_ID, "sensor-0042")
                .set(IdentityVariables.USERNAME, "plant-7")
                .freeze();
        role = CompiledPermissions.compile(ROLE, vars);
        none = CompiledPermissions.NONE;
        if (role.ruleCount() != 13 // ALL rules count once for publishing and once for subscribing
                || !role.mayPublish(ownTelemetry, qos, false) || !role.mayPublish(lastPublishRule, qos, false)
                || role.mayPublish(otherDevice, qos, false) || role.mayPublish(secret, qos, false)
                || !role.maySubscribe(commandsFilter, qos, null) || role.maySubscribe(secretsFilter, qos, null)
                || !role.mayReceive(commandTopic) || !role.mayReceive(broadcastTopic)) {
            throw new IllegalStateException("the rule set does not decide as the benchmark assumes");
        }
    }

    @Benchmark
    public boolean unrestricted() {
        return ownTelemetry != null;
    }

    @Benchmark
    public boolean noRules() {
        return none.mayPublish(ownTelemetry, qos, false);
    }

    /** Allowed by the first ALLOW publish rule (after the DENY). */
    @Benchmark
    public boolean publishAllowedFirstRule() {
        return role.mayPublish(ownTelemetry, qos, false);
    }

    /** Allowed only by the last rule: every rule is tried. */
    @Benchmark
    public boolean publishAllowedLastRule() {
        return role.mayPublish(lastPublishRule, qos, false);
    }

    /** No rule matches: the full scan, then deny. */
    @Benchmark
    public boolean publishDeniedNoRule() {
        return role.mayPublish(otherDevice, qos, false);
    }

    /** Denied by the DENY rule, which is checked first. */
    @Benchmark
    public boolean publishDeniedByDeny() {
        return role.mayPublish(secret, qos, false);
    }

    @Benchmark
    public boolean subscribeAllowed() {
        return role.maySubscribe(commandsFilter, qos, null);
    }

    @Benchmark
    public boolean subscribeDenied() {
        return role.maySubscribe(secretsFilter, qos, null);
    }

    /** The per-delivery check. */
    @Benchmark
    public boolean receiveAllowed() {
        return role.mayReceive(commandTopic);
    }

    @Benchmark
    public boolean receiveAllowedLaterRule() {
        return role.mayReceive(broadcastTopic);
    }
}
