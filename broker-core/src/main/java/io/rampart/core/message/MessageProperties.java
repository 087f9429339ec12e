package io.rampart.core.message;

import java.util.List;

/**
 * MQTT 5 application properties that travel with a PUBLISH from publisher to subscribers unchanged.
 * Fields are {@code null} when absent. The message expiry interval lives on {@link Message} because it
 * is rewritten on the way out.
 */
public record MessageProperties(
        Integer payloadFormatIndicator,
        String contentType,
        String responseTopic,
        byte[] correlationData,
        List<UserProperty> userProperties) {

    public static final MessageProperties NONE = new MessageProperties(null, null, null, null, List.of());

    public MessageProperties {
        userProperties = userProperties == null ? List.of() : List.copyOf(userProperties);
    }

    public boolean isEmpty() {
        return payloadFormatIndicator == null && contentType == null && responseTopic == null
                && correlationData == null && userProperties.isEmpty();
    }
}
