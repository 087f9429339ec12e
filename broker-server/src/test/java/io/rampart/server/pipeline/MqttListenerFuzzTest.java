package io.rampart.server.pipeline;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile bytes on a TCP listener: the MQTT decoder (fixed header, variable header, properties, UTF-8), the
 * limit before authentication, packet validation, topic names and filters, and the protocol handlers up to
 * routing, with several connections, time and an authentication gate that answers late or refuses (the script
 * format: {@link ListenerScript}). Without {@code -Pfuzz} it replays the committed inputs under
 * {@code MqttListenerFuzzTestInputs/tcpListener}; see docs/SECURITY.md, "Fuzzing".
 */
class MqttListenerFuzzTest {

    /** Each input gets a fresh broker core; a finding is an unexpected exception, a leak or malformed output. */
    @FuzzTest(maxDuration = "15m", maxExecutions = 10_000_000)
    @Timeout(60)
    void tcpListener(byte[] input) {
        ListenerScript.run(input, false);
    }
}
