package io.rampart.server.pipeline;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile bytes on a WebSocket listener: the HTTP upgrade, WebSocket frames (masking, lengths, fragmentation,
 * control frames, text frames), the frame limit before authentication ({@link PreAuthFrameLimit}),
 * {@link WebSocketFrameCodec} and the MQTT stream inside the frames, scripted as in {@link ListenerScript}.
 * Without {@code -Pfuzz} it replays the committed inputs under {@code WebSocketListenerFuzzTestInputs/webSocketListener};
 * see docs/SECURITY.md, "Fuzzing".
 */
class WebSocketListenerFuzzTest {

    @FuzzTest(maxDuration = "15m", maxExecutions = 10_000_000)
    @Timeout(60)
    void webSocketListener(byte[] input) {
        ListenerScript.run(input, true);
    }
}
