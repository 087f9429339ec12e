package io.rampart.server.it.support;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * An MQTT 3.1.1 / 5 client that writes packets byte by byte on a plain socket, for what the client
 * libraries refuse to send: exact packet identifiers, DUP resends, protocol violations, missing
 * acknowledgements. A reader thread queues every packet received; {@link #expect} and {@link #next}
 * take them with a timeout. End of stream is reported as a packet of type {@link #EOF}.
 */
public final class PubRawClient implements AutoCloseable {

    public static final int CONNECT = 1;
    public static final int CONNACK = 2;
    public static final int PUBLISH = 3;
    public static final int PUBACK = 4;
    public static final int PUBREC = 5;
    public static final int PUBREL = 6;
    public static final int PUBCOMP = 7;
    public static final int SUBSCRIBE = 8;
    public static final int SUBACK = 9;
    public static final int UNSUBSCRIBE = 10;
    public static final int UNSUBACK = 11;
    public static final int DISCONNECT = 14;
    /** Pseudo packet type: the broker closed the connection. */
    public static final int EOF = -1;

    private static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);

    private final Socket socket;
    private final OutputStream out;
    private final int version;
    private final LinkedBlockingQueue<Packet> received = new LinkedBlockingQueue<>();

    private PubRawClient(Socket socket, int version) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.version = version;
        InputStream in = socket.getInputStream();
        Thread reader = new Thread(() -> readLoop(in), "pub-raw-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens a TCP connection without sending anything. {@code version} is 4 (3.1.1) or 5. */
    public static PubRawClient open(int port, int version) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(TestBroker.HOST, port), 5_000);
        s.setTcpNoDelay(true);
        return new PubRawClient(s, version);
    }

    /** Opens a connection, sends CONNECT (clean start, keep alive 60) and waits for a successful CONNACK. */
    public static PubRawClient connect(int port, int version, String clientId, PubProps connectProperties)
            throws IOException {
        PubRawClient c = open(port, version);
        c.sendConnect(clientId, true, 60, connectProperties);
        Packet connack = c.expect(CONNACK);
        int code = connack.body[1] & 0xFF;
        if (code != 0) {
            c.close();
            throw new IllegalStateException("CONNACK refused with 0x" + Integer.toHexString(code));
        }
        return c;
    }

    public static PubRawClient connect(int port, int version, String clientId) throws IOException {
        return connect(port, version, clientId, new PubProps());
    }

    public boolean isV5() {
        return version == 5;
    }

    // ------------------------------------------------------------------ sending

    public void sendConnect(String clientId, boolean cleanStart, int keepAlive, PubProps properties) throws IOException {
        Buf b = new Buf();
        b.string("MQTT").u8(version).u8(cleanStart ? 0x02 : 0x00).u16(keepAlive);
        if (isV5()) {
            b.props(properties);
        }
        b.string(clientId);
        send(CONNECT << 4, b);
    }

    /** PUBLISH with full control of the header; {@code properties} is ignored for MQTT 3. */
    public void publish(String topic, int qos, boolean dup, boolean retain, int packetId, PubProps properties,
                        byte[] payload) throws IOException {
        Buf b = new Buf();
        b.string(topic);
        if (qos > 0) {
            b.u16(packetId);
        }
        if (isV5()) {
            b.props(properties == null ? new PubProps() : properties);
        }
        b.bytes(payload);
        send((PUBLISH << 4) | (dup ? 0x08 : 0) | (qos << 1) | (retain ? 1 : 0), b);
    }

    public void publish(String topic, int qos, int packetId, String payload) throws IOException {
        publish(topic, qos, false, false, packetId, null, payload.getBytes(StandardCharsets.UTF_8));
    }

    /** SUBSCRIBE; each filter comes with its options byte (QoS | NL 0x04 | RAP 0x08 | RH << 4). */
    public void subscribe(int packetId, PubProps properties, Object... filtersAndOptions) throws IOException {
        Buf b = new Buf().u16(packetId);
        if (isV5()) {
            b.props(properties == null ? new PubProps() : properties);
        }
        for (int i = 0; i < filtersAndOptions.length; i += 2) {
            b.string((String) filtersAndOptions[i]).u8((Integer) filtersAndOptions[i + 1]);
        }
        send((SUBSCRIBE << 4) | 0x02, b);
    }

    /** Subscribes and returns the SUBACK reason codes. */
    public int[] subscribeAndWait(int packetId, PubProps properties, Object... filtersAndOptions) throws IOException {
        subscribe(packetId, properties, filtersAndOptions);
        return expect(SUBACK).ackCodes();
    }

    public void unsubscribe(int packetId, String... filters) throws IOException {
        Buf b = new Buf().u16(packetId);
        if (isV5()) {
            b.props(new PubProps());
        }
        for (String f : filters) {
            b.string(f);
        }
        send((UNSUBSCRIBE << 4) | 0x02, b);
    }

    /** PUBACK, PUBREC, PUBREL or PUBCOMP with reason 0 (omitted on the wire, as the spec allows). */
    public void ack(int type, int packetId) throws IOException {
        send((type << 4) | (type == PUBREL ? 0x02 : 0), new Buf().u16(packetId));
    }

    public void disconnect() throws IOException {
        send(DISCONNECT << 4, new Buf());
    }

    public void sendRaw(byte[] bytes) throws IOException {
        synchronized (out) {
            out.write(bytes);
            out.flush();
        }
    }

    private void send(int firstByte, Buf body) throws IOException {
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(firstByte);
        writeVarInt(packet, body.size());
        body.writeTo(packet);
        sendRaw(packet.toByteArray());
    }

    // ------------------------------------------------------------------ receiving

    /** The next packet, or {@code null} if none arrives within {@code wait}. */
    public Packet next(Duration wait) {
        try {
            return received.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Skips packets until one of {@code type} arrives; fails after 10 s or when the connection ends first. */
    public Packet expect(int type) {
        return expect(p -> p.type == type, "packet type " + type);
    }

    public Packet expect(Predicate<Packet> wanted, String what) {
        long deadline = System.nanoTime() + DEFAULT_WAIT.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Packet p = left <= 0 ? null : next(Duration.ofNanos(left));
            if (p == null) {
                throw new AssertionError("no " + what + " within " + DEFAULT_WAIT);
            }
            if (wanted.test(p)) {
                return p;
            }
            if (p.type == EOF) {
                throw new AssertionError("connection closed while waiting for " + what);
            }
        }
    }

    /** Waits for the broker's DISCONNECT (MQTT 5) and returns its reason code; the connection must then close. */
    public int expectDisconnect() {
        Packet p = expect(DISCONNECT);
        expectClosed();
        return p.body.length == 0 ? 0 : p.body[0] & 0xFF;
    }

    /** Waits until the broker closes the connection (ignoring other packets). */
    public void expectClosed() {
        long deadline = System.nanoTime() + DEFAULT_WAIT.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Packet p = left <= 0 ? null : next(Duration.ofNanos(left));
            if (p == null) {
                throw new AssertionError("connection still open after " + DEFAULT_WAIT);
            }
            if (p.type == EOF) {
                return;
            }
        }
    }

    private void readLoop(InputStream in) {
        try {
            while (true) {
                int first = in.read();
                if (first < 0) {
                    break;
                }
                int length = readVarInt(in);
                byte[] body = in.readNBytes(length);
                if (body.length != length) {
                    break;
                }
                received.add(new Packet(first >> 4, first & 0x0F, body, version == 5));
            }
        } catch (IOException e) {
            // closed
        }
        received.add(new Packet(EOF, 0, new byte[0], version == 5));
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    // ------------------------------------------------------------------ packets

    /** One received packet: type, the 4 flag bits and the body after the remaining length. */
    public static final class Packet {
        public final int type;
        public final int flags;
        public final byte[] body;
        private final boolean v5;

        Packet(int type, int flags, byte[] body, boolean v5) {
            this.type = type;
            this.flags = flags;
            this.body = body;
            this.v5 = v5;
        }

        public int qos() {
            return (flags >> 1) & 0x03;
        }

        public boolean dup() {
            return (flags & 0x08) != 0;
        }

        public boolean retain() {
            return (flags & 0x01) != 0;
        }

        /** Packet identifier of an acknowledgement, SUBACK or UNSUBACK. */
        public int packetId() {
            return ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
        }

        /** Reason code of PUBACK/PUBREC/PUBREL/PUBCOMP (0 when omitted). */
        public int reasonCode() {
            return body.length > 2 ? body[2] & 0xFF : 0;
        }

        /** SUBACK / UNSUBACK reason codes (after the properties for MQTT 5). */
        public int[] ackCodes() {
            int pos = 2;
            if (v5) {
                int[] len = varInt(body, pos);
                pos = len[1] + len[0];
            }
            int[] codes = new int[body.length - pos];
            for (int i = 0; i < codes.length; i++) {
                codes[i] = body[pos + i] & 0xFF;
            }
            return codes;
        }

        public Publish publish() {
            if (type != PUBLISH) {
                throw new IllegalStateException("not a PUBLISH: " + type);
            }
            int topicLen = ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
            String topic = new String(body, 2, topicLen, StandardCharsets.UTF_8);
            int pos = 2 + topicLen;
            int id = 0;
            if (qos() > 0) {
                id = ((body[pos] & 0xFF) << 8) | (body[pos + 1] & 0xFF);
                pos += 2;
            }
            List<Prop> props = List.of();
            if (v5) {
                int[] len = varInt(body, pos);
                pos = len[1];
                props = parseProps(body, pos, pos + len[0]);
                pos += len[0];
            }
            byte[] payload = Arrays.copyOfRange(body, pos, body.length);
            return new Publish(topic, id, qos(), dup(), retain(), props, payload);
        }

        /** Properties of a CONNACK (MQTT 5). */
        public List<Prop> connackProperties() {
            int[] len = varInt(body, 2);
            return parseProps(body, len[1], len[1] + len[0]);
        }
    }

    /** A decoded PUBLISH. */
    public record Publish(String topic, int packetId, int qos, boolean dup, boolean retain, List<Prop> properties,
                          byte[] payload) {
        public String payloadText() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** Values of every property with {@code id}, in order. */
        public List<Object> values(int id) {
            List<Object> v = new ArrayList<>();
            for (Prop p : properties) {
                if (p.id() == id) {
                    v.add(p.value());
                }
            }
            return v;
        }

        public Object value(int id) {
            List<Object> v = values(id);
            return v.isEmpty() ? null : v.get(0);
        }
    }

    /** A property: integers as Integer, strings as String, binary as byte[], user properties as String[2]. */
    public record Prop(int id, Object value) {
    }

    static List<Prop> parseProps(byte[] b, int from, int to) {
        List<Prop> props = new ArrayList<>();
        int pos = from;
        while (pos < to) {
            int id = b[pos++] & 0xFF;
            switch (id) {
                case 0x01, 0x17, 0x19, 0x24, 0x25, 0x28, 0x29, 0x2A -> props.add(new Prop(id, b[pos++] & 0xFF));
                case 0x13, 0x21, 0x22, 0x23 -> {
                    props.add(new Prop(id, ((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF)));
                    pos += 2;
                }
                case 0x02, 0x11, 0x18, 0x27 -> {
                    props.add(new Prop(id, ((b[pos] & 0xFF) << 24) | ((b[pos + 1] & 0xFF) << 16)
                            | ((b[pos + 2] & 0xFF) << 8) | (b[pos + 3] & 0xFF)));
                    pos += 4;
                }
                case 0x0B -> {
                    int[] v = varInt(b, pos);
                    props.add(new Prop(id, v[0]));
                    pos = v[1];
                }
                case 0x09, 0x16 -> {
                    int len = ((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF);
                    props.add(new Prop(id, Arrays.copyOfRange(b, pos + 2, pos + 2 + len)));
                    pos += 2 + len;
                }
                case 0x26 -> {
                    int kl = ((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF);
                    String k = new String(b, pos + 2, kl, StandardCharsets.UTF_8);
                    pos += 2 + kl;
                    int vl = ((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF);
                    String v = new String(b, pos + 2, vl, StandardCharsets.UTF_8);
                    pos += 2 + vl;
                    props.add(new Prop(id, new String[]{k, v}));
                }
                default -> {
                    int len = ((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF);
                    props.add(new Prop(id, new String(b, pos + 2, len, StandardCharsets.UTF_8)));
                    pos += 2 + len;
                }
            }
        }
        return props;
    }

    /** Returns {value, position after}. */
    static int[] varInt(byte[] b, int pos) {
        int value = 0;
        int shift = 0;
        int p = pos;
        while (true) {
            int digit = b[p++] & 0xFF;
            value |= (digit & 0x7F) << shift;
            if ((digit & 0x80) == 0) {
                return new int[]{value, p};
            }
            shift += 7;
        }
    }

    private static int readVarInt(InputStream in) throws IOException {
        int value = 0;
        int shift = 0;
        while (true) {
            int digit = in.read();
            if (digit < 0) {
                throw new EOFException();
            }
            value |= (digit & 0x7F) << shift;
            if ((digit & 0x80) == 0) {
                return value;
            }
            shift += 7;
        }
    }

    static void writeVarInt(ByteArrayOutputStream out, int value) {
        int v = value;
        do {
            int digit = v % 128;
            v /= 128;
            if (v > 0) {
                digit |= 0x80;
            }
            out.write(digit);
        } while (v > 0);
    }

    /** A growing packet body. */
    private static final class Buf {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream();

        Buf u8(int v) {
            b.write(v);
            return this;
        }

        Buf u16(int v) {
            b.write(v >> 8);
            b.write(v);
            return this;
        }

        Buf string(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            u16(bytes.length);
            b.writeBytes(bytes);
            return this;
        }

        Buf bytes(byte[] bytes) {
            b.writeBytes(bytes);
            return this;
        }

        Buf props(PubProps p) {
            byte[] bytes = p.toBytes();
            writeVarInt(b, bytes.length);
            b.writeBytes(bytes);
            return this;
        }

        int size() {
            return b.size();
        }

        void writeTo(ByteArrayOutputStream target) {
            target.writeBytes(b.toByteArray());
        }
    }
}
