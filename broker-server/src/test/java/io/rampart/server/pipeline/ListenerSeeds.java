package io.rampart.server.pipeline;

import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.RawProperties;
import io.rampart.server.it.support.RawWebSocket;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.rampart.server.it.support.RawPackets.V3_1;
import static io.rampart.server.it.support.RawPackets.V3_1_1;
import static io.rampart.server.it.support.RawPackets.V5;
import static io.rampart.server.it.support.RawPackets.concat;
import static io.rampart.server.it.support.RawPackets.connect;
import static io.rampart.server.it.support.RawPackets.packet;
import static io.rampart.server.it.support.RawPackets.publish;
import static io.rampart.server.it.support.RawPackets.subscribe;
import static io.rampart.server.it.support.RawPackets.utf8;

/**
 * The seed corpus of the listener fuzz tests, as {@link ListenerScript} scripts: sessions of every protocol
 * version with their properties, QoS flows, several connections, late and refusing gates, tight and disabled
 * limits, malformed packets, and for WebSocket the framing cases. {@link ListenerSeedsTest} checks that the
 * committed files are exactly these; after changing a seed, write them again with
 *
 * <pre>
 *   mvn -pl broker-server -am test -Dtest=ListenerSeedsTest -Dsurefire.failIfNoSpecifiedTests=false \
 *       -Dlistener.seeds.write=src/test/resources
 * </pre>
 */
final class ListenerSeeds {

    static final String TCP_DIR = "io/rampart/server/pipeline/MqttListenerFuzzTestInputs/tcpListener";
    static final String WS_DIR = "io/rampart/server/pipeline/WebSocketListenerFuzzTestInputs/webSocketListener";

    private static final int ASYNC = 0x04;
    private static final int REFUSALS = 0x08;
    private static final int RESTRICTED = 0x10;
    private static final int DISCONNECT_ON_DENIED = 0x20;
    private static final int JSON_EVENTS = 0x40;
    private static final int JSON_ACCESS = 0x80;
    private static final byte[] MASK = {0x11, 0x22, 0x33, 0x44};

    private ListenerSeeds() {
    }

    /** Writes every seed below {@code root} (a test resources directory). */
    static void write(Path root) throws IOException {
        write(root.resolve(TCP_DIR), tcp());
        write(root.resolve(WS_DIR), webSocket());
    }

    private static void write(Path dir, Map<String, byte[]> seeds) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
            Files.write(dir.resolve(seed.getKey()), seed.getValue());
        }
    }

    // ------------------------------------------------------------------ TCP

    static Map<String, byte[]> tcp() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("v311-session", new Script(0).open(0).send(mqtt311Session()).bytes());
        seeds.put("v311-session-bytewise", new Script(0).open(0).sendInChunks(mqtt311Session(), 1).bytes());
        seeds.put("v5-properties", new Script(0).open(0).send(mqtt5Session()).bytes());
        seeds.put("v31-mqisdp", new Script(0).open(0).send(
                connect(V3_1).clientId("old-client").credentials("user", bytes("pw")).build(),
                publish(V3_1, "a/b", 1, 1, bytes("x")), RawPackets.disconnect()).bytes());
        seeds.put("persistent-takeover", takeover().bytes());
        seeds.put("async-gate-pipelined", new Script(ASYNC).open(0).send(concat(
                connect(V5).clientId("late").build(), subscribe(V5, 1, 1, "q/#"), publish(V5, "q/1", 1, 7, bytes("a"))))
                .time(0, true).open(1).send(connect(V3_1_1, "second")).time(1, false).select(0)
                .send(RawPackets.puback(1)).bytes());
        seeds.put("refusals-cycle", refusals().bytes());
        seeds.put("restricted-permissions", new Script(RESTRICTED).open(0).send(
                connect(V5).clientId("r1").will("deny/will", bytes("w"), 1, false).build()).open(1).send(
                connect(V5).clientId("r2").build(), subscribe(V5, 1, 2, "#"), subscribe(V5, 2, 1, "deny/#"),
                subscribe(V5, 3, 1, "$share/g0/x", "$share/g1/x", "top/+"), publish(V5, "top/secret", 1, 4, bytes("s")),
                publish(V5, "top/open", 2, 5, bytes("o")), publish(V5, "deny/x", 1, 6, bytes("d")),
                publish(V5, utf8("top/r"), 0x05, 7, RawProperties.none(), bytes("retained qos 2")))
                .time(1, false).bytes());
        seeds.put("restricted-disconnect-on-denied", new Script(RESTRICTED | DISCONNECT_ON_DENIED).open(0).send(
                connect(V3_1_1, "d1"), publish(V3_1_1, "deny/x", 1, 1, bytes("d")), publish(V3_1_1, "ok", 0, 0, bytes("")))
                .open(1).send(connect(V5, "d2"), publish(V5, "deny/y", 0, 0, bytes("d"))).bytes());
        seeds.put("tight-limits", tightLimits().bytes());
        seeds.put("features-off", new Script(2).open(0).send(connect(V5).clientId("f").keepAlive(0).build(),
                subscribe(V5, 1, 1, "a/+", "b/#"), subscribe(V5, 2, 1, "$share/g/c"),
                publish(V5, utf8("r"), 0x01, 0, RawProperties.none(), bytes("retained")), publish(V5, "q2", 2, 3, bytes("x")),
                publish(V5, utf8("al"), 0x00, 0, RawProperties.builder().add(RawProperties.TOPIC_ALIAS, 1).build(),
                        bytes("alias"))).bytes());
        seeds.put("malformed-packets", malformed().bytes());
        seeds.put("enhanced-auth", enhancedAuth().bytes());
        seeds.put("keep-alive-and-will-delay", new Script(0).open(0).send(connect(V5).clientId("sleepy").keepAlive(10)
                        .properties(RawProperties.builder().add(RawProperties.SESSION_EXPIRY_INTERVAL, 20).build())
                        .will("wills/sleepy", bytes("gone"), 1, true)
                        .willProperties(RawProperties.builder().add(RawProperties.WILL_DELAY_INTERVAL, 10).build())
                        .build())
                .open(1).send(connect(V3_1_1, "watcher"), subscribe(V3_1_1, 1, 1, "wills/#"))
                .time(7, false).time(7, false).time(10, false).select(1).send(RawPackets.puback(1)).bytes());
        seeds.put("server-shutdown", new Script(0).open(0).send(connect(V5, "s1")).open(1).send(connect(V3_1_1, "s2"))
                .shutdown(0).shutdown(1).bytes());
        seeds.put("outbound-flow", outboundFlow().bytes());
        byte[] alicePersistent = connect(V5).clientId("shared").cleanStart(false).credentials("alice", bytes("a"))
                .properties(RawProperties.builder().add(RawProperties.SESSION_EXPIRY_INTERVAL, 600).build()).build();
        seeds.put("client-id-ownership", new Script(RESTRICTED).open(0).send(alicePersistent)
                .open(1).send(connect(V5).clientId("shared").credentials("bob", bytes("b")).build())
                .open(2).send(connect(V3_1_1).clientId("shared").cleanStart(false).build())
                .open(3).send(connect(V3_1_1).clientId("bad-device").credentials("carol", bytes("c")).build())
                .close(0).open(0).send(alicePersistent).bytes());
        seeds.put("json-logs", new Script(REFUSALS | JSON_EVENTS | JSON_ACCESS).open(0).send(
                connect(V5).clientId("j\"son\n").credentials("u\u0001", bytes("p")).build(),
                subscribe(V5, 1, 0, "x/\u00e9"), publish(V5, "x/\u00e9", 0, 0, bytes("p"))).open(1)
                .send(connect(V5, "refused")).bytes());
        return seeds;
    }

    private static byte[] mqtt311Session() {
        return concat(connect(V3_1_1).clientId("c311").keepAlive(60).credentials("user", bytes("pass"))
                        .will("wills/c311", bytes("bye"), 1, false).build(),
                subscribe(V3_1_1, 1, 1, "a/#"), subscribe(V3_1_1, 2, 2, "+/b", "$SYS/#"),
                publish(V3_1_1, "a/b", 0, 0, bytes("zero")), publish(V3_1_1, "a/b", 1, 2, bytes("one")),
                publish(V3_1_1, "a/b", 2, 3, bytes("two")), RawPackets.pubrel(3), RawPackets.puback(1),
                RawPackets.pubrec(2), RawPackets.pubcomp(2), RawPackets.pingreq(),
                RawPackets.unsubscribe(V3_1_1, 4, "a/#", "nothing"), RawPackets.disconnect());
    }

    private static byte[] mqtt5Session() {
        byte[] connectProps = RawProperties.builder()
                .add(RawProperties.SESSION_EXPIRY_INTERVAL, 300)
                .add(RawProperties.RECEIVE_MAXIMUM, 2)
                .add(RawProperties.MAXIMUM_PACKET_SIZE, 200)
                .add(RawProperties.TOPIC_ALIAS_MAXIMUM, 3)
                .add(RawProperties.REQUEST_PROBLEM_INFORMATION, 1)
                .add(RawProperties.REQUEST_RESPONSE_INFORMATION, 1)
                .user("k", "v").build();
        byte[] willProps = RawProperties.builder()
                .add(RawProperties.WILL_DELAY_INTERVAL, 5)
                .add(RawProperties.PAYLOAD_FORMAT_INDICATOR, 1)
                .add(RawProperties.MESSAGE_EXPIRY_INTERVAL, 60)
                .add(RawProperties.CONTENT_TYPE, "text/plain")
                .add(RawProperties.RESPONSE_TOPIC, "replies/c5")
                .add(RawProperties.CORRELATION_DATA, bytes("corr")).build();
        byte[] subscribeWithId = packet(0x82, new byte[]{0, 1},
                RawProperties.builder().add(RawProperties.SUBSCRIPTION_IDENTIFIER, 7).build(),
                utf8("t/#"), new byte[]{0x01 | 0x04 | 0x08 | 0x10}, utf8("$share/grp/t/+"), new byte[]{0x02});
        byte[] publishProps = RawProperties.builder()
                .add(RawProperties.TOPIC_ALIAS, 1)
                .add(RawProperties.PAYLOAD_FORMAT_INDICATOR, 1)
                .add(RawProperties.MESSAGE_EXPIRY_INTERVAL, 10)
                .add(RawProperties.CONTENT_TYPE, "application/json")
                .add(RawProperties.RESPONSE_TOPIC, "replies/x")
                .add(RawProperties.CORRELATION_DATA, bytes("id-1"))
                .user("trace", "abc").build();
        return concat(
                connect(V5).clientId("c5").cleanStart(true).keepAlive(30).properties(connectProps)
                        .will("wills/c5", bytes("{\"gone\":true}"), 1, true).willProperties(willProps)
                        .credentials("user5", bytes("secret")).build(),
                subscribeWithId,
                publish(V5, utf8("t/one"), 0x02, 1, publishProps, bytes("{\"n\":1}")),
                publish(V5, utf8(""), 0x02, 2, RawProperties.builder().add(RawProperties.TOPIC_ALIAS, 1).build(),
                        bytes("{\"n\":2}")),
                publish(V5, utf8("t/bad-utf8"), 0x00, 0,
                        RawProperties.builder().add(RawProperties.PAYLOAD_FORMAT_INDICATOR, 1).build(),
                        new byte[]{(byte) 0xC3, 0x28}),
                publish(V5, utf8("t/retained"), 0x03, 3, RawProperties.none(), bytes("kept")),
                subscribe(V5, 2, 0x21, "t/retained"),
                RawPackets.puback(1), RawPackets.puback(2),
                RawPackets.unsubscribe(V5, 3, "t/#"),
                RawPackets.disconnect(0x04, RawProperties.builder().add(RawProperties.SESSION_EXPIRY_INTERVAL, 60)
                        .add(RawProperties.REASON_STRING, "done").build()));
    }

    private static Script takeover() {
        byte[] persistent = connect(V5).clientId("dev").cleanStart(false)
                .properties(RawProperties.builder().add(RawProperties.SESSION_EXPIRY_INTERVAL, 3_600).build()).build();
        return new Script(0)
                .open(0).send(persistent, subscribe(V5, 1, 1, "x/#"))
                .open(1).send(connect(V3_1_1, "pub"), publish(V3_1_1, "x/1", 1, 1, bytes("1")),
                        publish(V3_1_1, "x/2", 1, 2, bytes("2")))
                .close(0)
                .select(1).send(publish(V3_1_1, "x/3", 1, 3, bytes("3")), publish(V3_1_1, "x/4", 2, 4, bytes("4")),
                        RawPackets.pubrel(4))
                .open(2).send(persistent, RawPackets.puback(1))
                .open(3).send(persistent, RawPackets.pubrec(2), RawPackets.pubcomp(2))
                .time(12, false);
    }

    private static Script refusals() {
        Script s = new Script(REFUSALS | ASYNC);
        for (int i = 0; i < 4; i++) {
            s.open(i).send(i % 2 == 0 ? connect(V5, "r" + i) : connect(V3_1_1, "r" + i),
                    publish(V5, "early/" + i, 0, 0, bytes("e")));
        }
        return s.time(0, true).time(2, false);
    }

    private static Script tightLimits() {
        StringBuilder levels = new StringBuilder("a");
        for (int i = 0; i < 9; i++) {
            levels.append("/l");
        }
        return new Script(1)
                .open(0).send(connect(V5).clientId("this-client-id-is-far-too-long").build())
                .open(1).send(connect(V5).clientId("big").credentials("u", new byte[200]).build())
                .open(2).send(connect(V5).clientId("ok").keepAlive(0).build(),
                        subscribe(V5, 1, 1, levels.toString(), "x".repeat(70), "a", "b", "c", "d", "e"),
                        publish(V5, "a", 1, 1, bytes("1")), publish(V5, "a", 1, 2, bytes("2")),
                        publish(V5, "a", 1, 3, bytes("3")), publish(V5, "a", 1, 4, bytes("4")),
                        publish(V5, "a", 1, 5, bytes("5")), publish(V5, "a", 0, 0, new byte[600]))
                .open(3).send(connect(V3_1_1).clientId("four").keepAlive(0).build());
    }

    private static Script malformed() {
        byte[] repeatedProperty = connect(V5).clientId("rep").properties(RawProperties.builder()
                .add(RawProperties.SESSION_EXPIRY_INTERVAL, 1).add(RawProperties.SESSION_EXPIRY_INTERVAL, 2).build())
                .build();
        return new Script(0)
                .open(0).send(RawPackets.withRemainingLength(0x10, new byte[]{(byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                        (byte) 0xFF, 0x01}, new byte[4]))
                .open(1).send(connect(V3_1_1, "m1"), RawPackets.subscribeWithPayload(V3_1_1, 0x80, 1,
                        concat(utf8("a"), new byte[]{0})))
                .open(2).send(connect(V5, "m2"), publish(V5, utf8("q3"), 0x06, 1, RawProperties.none(), bytes("x")))
                .open(3).send(connect(V5, "m3"), publish(V5, "a/+/wild", 0, 0, bytes("x")))
                .open(0).send(connect(V5, "m4"), publish(V5, RawPackets.lengthPrefixed(new byte[]{'a', (byte) 0xC0,
                        (byte) 0x80}), 0, 0, RawProperties.none(), bytes("x")))
                .open(1).send(connect(V5, "m5"), publish(V5, RawPackets.lengthPrefixed(new byte[]{'a', 0, 'b'}), 0, 0,
                        RawProperties.none(), bytes("x")))
                .close(0).close(1).close(2).close(3)
                .open(0).send(publish(V3_1_1, "first", 0, 0, bytes("not CONNECT")))
                .open(1).send(connect(V3_1_1, "twice"), connect(V3_1_1, "twice"))
                .open(2).send(connect(V3_1_1, "auth-v3"), new byte[]{(byte) 0xF0, 0})
                .open(3).send(repeatedProperty)
                .close(0).close(1).close(2).close(3)
                .open(0).send(connect(V5).protocol("MQTT", 6).clientId("v6").build())
                .open(1).send(new byte[]{0x00, 0x00})
                .open(2).send(connect(V5, "trunc"), new byte[]{0x30, 0x05, 0x00, 0x10});
    }

    private static Script enhancedAuth() {
        byte[] connectProps = RawProperties.builder().add(RawProperties.AUTHENTICATION_METHOD, ScriptGate.AUTH_METHOD)
                .add(RawProperties.AUTHENTICATION_DATA, new byte[]{2, 4}).build();
        return new Script(0)
                .open(0).send(connect(V5).clientId("ea").properties(connectProps).build(),
                        auth(0x19, ScriptGate.AUTH_METHOD, new byte[]{6}), auth(0x19, ScriptGate.AUTH_METHOD, new byte[]{1}))
                .open(1).send(connect(V5).clientId("eb").properties(connectProps).build(),
                        auth(0x19, "OTHER", new byte[]{0}))
                .open(2).send(connect(V5).clientId("ec").properties(RawProperties.builder()
                        .add(RawProperties.AUTHENTICATION_METHOD, "UNKNOWN").build()).build())
                .open(3).send(connect(V5).clientId("ed").properties(RawProperties.builder()
                        .add(RawProperties.AUTHENTICATION_DATA, new byte[]{1}).build()).build());
    }

    private static byte[] auth(int reason, String method, byte[] data) {
        return packet(0xF0, new byte[]{(byte) reason}, RawProperties.builder()
                .add(RawProperties.AUTHENTICATION_METHOD, method).add(RawProperties.AUTHENTICATION_DATA, data).build());
    }

    private static Script outboundFlow() {
        byte[] small = RawProperties.builder().add(RawProperties.MAXIMUM_PACKET_SIZE, 40)
                .add(RawProperties.RECEIVE_MAXIMUM, 1).add(RawProperties.TOPIC_ALIAS_MAXIMUM, 1).build();
        return new Script(3)
                .open(0).send(connect(V5).clientId("sub").properties(small).build(), subscribe(V5, 1, 2, "o/#"))
                .open(1).send(connect(V5, "pub"), publish(V5, "o/a", 2, 1, bytes("1")), RawPackets.pubrel(1),
                        publish(V5, "o/a", 1, 2, bytes("2")), publish(V5, "o/b", 1, 3, new byte[64]),
                        publish(V5, "o/c", 0, 0, bytes("3")))
                .select(0).send(RawPackets.pubrec(1), RawPackets.pubcomp(1), RawPackets.puback(2),
                        RawPackets.puback(3));
    }

    // ------------------------------------------------------------------ WebSocket

    static Map<String, byte[]> webSocket() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("ws-session", new Script(0).open(0).send(
                frame(connect(V5).clientId("ws").build()), frame(subscribe(V5, 1, 1, "w/#")),
                frame(publish(V5, "w/1", 1, 1, bytes("hello"))), wsFrame(true, RawWebSocket.OP_PING, bytes("ping")),
                frame(RawPackets.puback(1)), frame(RawPackets.disconnect()),
                wsFrame(true, RawWebSocket.OP_CLOSE, new byte[]{0x03, (byte) 0xE8})).bytes());
        byte[] stream = concat(connect(V3_1_1, "split"), subscribe(V3_1_1, 1, 0, "s/#"), publish(V3_1_1, "s/1", 0, 0,
                bytes("fragmented")));
        seeds.put("ws-packets-across-frames", new Script(0).open(0).send(
                wsFrame(false, RawWebSocket.OP_BINARY, java.util.Arrays.copyOfRange(stream, 0, 5)),
                wsFrame(false, RawWebSocket.OP_CONTINUATION, java.util.Arrays.copyOfRange(stream, 5, 20)),
                wsFrame(true, RawWebSocket.OP_CONTINUATION, java.util.Arrays.copyOfRange(stream, 20, stream.length)))
                .bytes());
        seeds.put("ws-text-frame", new Script(0).open(0).send(wsFrame(true, RawWebSocket.OP_TEXT, bytes("MQTT?"))).bytes());
        seeds.put("ws-oversize-before-connect", new Script(1).open(0).send(
                wsFrame(true, RawWebSocket.OP_BINARY, new byte[200])).bytes());
        seeds.put("ws-64-bit-length", new Script(0).open(0).send(new byte[]{(byte) 0x82, (byte) 0xFF, (byte) 0x80, 0, 0,
                0, 0, 0, 0, 1, 1, 2, 3, 4}).bytes());
        seeds.put("ws-unmasked", new Script(0).open(0).send(RawWebSocket.frame(true, RawWebSocket.OP_BINARY,
                connect(V5, "plain"), null)).bytes());
        seeds.put("ws-http-requests", new Script(0)
                .openRaw(0).send(http("GET /other HTTP/1.1\r\nHost: b\r\n\r\n"))
                .openRaw(1).send(http("POST /mqtt HTTP/1.1\r\nHost: b\r\nContent-Length: 3\r\n\r\nabc"))
                .openRaw(2).send(http("GET /mqtt HTTP/1.1\r\nHost: b\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Version: 8\r\n\r\n"))
                .openRaw(3).send(http("GET /mqtt HTTP/1.1\r\nHost: b\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                        + "Sec-WebSocket-Protocol: mqttv3.1\r\n\r\n"), frame(connect(V3_1, "legacy"))).bytes());
        seeds.put("ws-async-gate", new Script(ASYNC).open(0).send(concat(frame(connect(V5, "late-ws")),
                frame(publish(V5, "w/late", 0, 0, bytes("queued"))))).time(0, true).bytes());
        seeds.put("ws-handshake-timeout", new Script(0).openRaw(0).send(http("GET /mqtt HTTP/1.1\r\n")).time(7, false)
                .bytes());
        return seeds;
    }

    private static byte[] frame(byte[] payload) {
        return wsFrame(true, RawWebSocket.OP_BINARY, payload);
    }

    private static byte[] wsFrame(boolean fin, int opcode, byte[] payload) {
        return RawWebSocket.frame(fin, opcode, payload, MASK);
    }

    private static byte[] http(String request) {
        return request.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Writes the script format of {@link ListenerScript}. */
    static final class Script {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Script(int setup) {
            out.write(setup);
        }

        Script open(int connection) {
            out.write(0x80 | connection);
            return this;
        }

        Script close(int connection) {
            out.write(0x84 | connection);
            return this;
        }

        Script openRaw(int connection) {
            out.write(0x88 | connection);
            return this;
        }

        Script shutdown(int connection) {
            out.write(0x8C | connection);
            return this;
        }

        Script select(int connection) {
            out.write(0x90 | connection);
            return this;
        }

        /** A time step ({@link ListenerScript#STEPS} index); {@code answer}: the gate answers what it holds. */
        Script time(int step, boolean answer) {
            out.write(0xC0 | (answer ? 0x10 : 0) | step);
            return this;
        }

        /** Each part arrives as its own reads (of at most 128 bytes). */
        Script send(byte[]... parts) {
            for (byte[] part : parts) {
                sendInChunks(part, 128);
            }
            return this;
        }

        Script sendInChunks(byte[] bytes, int chunk) {
            for (int off = 0; off < bytes.length; off += chunk) {
                int n = Math.min(chunk, bytes.length - off);
                out.write(n - 1);
                out.write(bytes, off, n);
            }
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
