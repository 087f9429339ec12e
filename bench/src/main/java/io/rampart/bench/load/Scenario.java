package io.rampart.bench.load;

/** The load shapes the generator can drive. */
public enum Scenario {
    /** N publishers, each to its own topic with its own subscriber (1:1). */
    PAIRS("pairs"),
    /** N publishers on distinct topics, one subscriber on a single-level wildcard. */
    FAN_IN("fan-in"),
    /** One publisher, N subscribers of the same topic. */
    FAN_OUT("fan-out"),
    /** Connection churn: CONNECT / CONNACK / DISCONNECT with a concurrency of N. */
    CONNECT("connect"),
    /** N connections that connect and stay idle for the measured duration (memory per connection). */
    IDLE("idle");

    private final String cliName;

    Scenario(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    public static Scenario fromCli(String value) {
        for (Scenario s : values()) {
            if (s.cliName.equalsIgnoreCase(value) || s.name().equalsIgnoreCase(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scenario '" + value + "' (pairs, fan-in, fan-out, connect, idle)");
    }
}
