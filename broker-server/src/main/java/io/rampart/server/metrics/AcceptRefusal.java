package io.rampart.server.metrics;

/** Why a listener closed a connection as soon as it accepted it: the {@code reason} tag of {@code rampart.connections.refused}. */
public enum AcceptRefusal {
    /** The listener had {@code max-connections} open. */
    MAX_CONNECTIONS("max-connections", "listener at max-connections"),
    /** The listener's {@code connection-rate} was used up. */
    CONNECTION_RATE("connection-rate", "listener over its connection-rate"),
    /** The source address had {@code per-address.max-connections} open. */
    ADDRESS_CONNECTIONS("address-max-connections", "source address at per-address max-connections"),
    /** The source address's {@code per-address.connection-rate} was used up. */
    ADDRESS_RATE("address-connection-rate", "source address over its per-address connection-rate");

    private final String tag;
    private final String description;

    AcceptRefusal(String tag, String description) {
        this.tag = tag;
        this.description = description;
    }

    public String tag() {
        return tag;
    }

    /** The reason as an event line says it. */
    public String description() {
        return description;
    }
}
