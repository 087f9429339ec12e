package io.rampart.server.trace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rampart.server.observe.PacketRecord;

import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One packet as one line of a recording:
 *
 * <pre>
 * {"time":"2030-01-01T10:00:00.123Z","direction":"in","client":"dev-1","listener":"tcp","type":"PUBLISH",
 *  "topic":"site-a/temp","packetId":7,"qos":1,"dup":false,"retain":false,"payloadSize":5,
 *  "decision":{"result":"denied","manager":"password","realm":"devices","reason":"not authorized ...",
 *              "verdict":"denied by deny rule 'site-a/#'","rule":{"effect":"deny","topic":"site-a/#",...}}}
 * </pre>
 *
 * Payloads, when recorded, are Base64 in {@code payload}.
 */
final class TraceLine {

    static final ObjectMapper JSON = new ObjectMapper();

    private TraceLine() {
    }

    static byte[] format(PacketRecord r) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.ofEpochMilli(r.timeMillis()).toString());
        line.put("direction", r.inbound() ? "in" : "out");
        line.put("client", r.clientId());
        line.put("listener", r.listener());
        line.put("type", r.type());
        if (r.type().equals("PUBLISH") && !r.topics().isEmpty()) {
            line.put("topic", r.topics().get(0));
        }
        line.putAll(r.fields());
        if (r.payload() != null) {
            line.put("payload", Base64.getEncoder().encodeToString(r.payload()));
        }
        try {
            byte[] json = JSON.writeValueAsBytes(line);
            byte[] withNewline = java.util.Arrays.copyOf(json, json.length + 1);
            withNewline[json.length] = '\n';
            return withNewline;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("packet record cannot be written as JSON", e);
        }
    }
}
