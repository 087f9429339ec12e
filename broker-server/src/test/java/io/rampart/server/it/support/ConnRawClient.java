package io.rampart.server.it.support;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A byte-level MQTT client on a plain socket, over TCP or WebSocket (one binary frame per packet), for
 * what client libraries will not do: protocol violations, exact packet ids, withheld acknowledgements,
 * dropping the connection without DISCONNECT. Every read has a timeout.
 */
public final class ConnRawClient implements AutoCloseable {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final boolean webSocket;
    private int version = 4;
    private ConnPackets.Packet lastConnack;

    private ConnRawClient(Socket socket, InputStream in, boolean webSocket) throws IOException {
        this.socket = socket;
        this.in = in;
        this.out = socket.getOutputStream();
        this.webSocket = webSocket;
    }

    /** Opens a connection (and for WebSocket completes the HTTP upgrade); sends nothing MQTT yet. */
    public static ConnRawClient open(ConnTransport transport, TestBroker broker) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(TestBroker.HOST, transport.port(broker)), 10_000);
        socket.setSoTimeout((int) DEFAULT_TIMEOUT.toMillis());
        socket.setTcpNoDelay(true);
        if (transport == ConnTransport.TCP) {
            return new ConnRawClient(socket, socket.getInputStream(), false);
        }
        InputStream raw = socket.getInputStream();
        upgrade(socket, raw, transport.port(broker));
        return new ConnRawClient(socket, new FrameInputStream(raw), true);
    }

    /** Opens a connection and sends {@code connect}; the CONNACK is left to read. */
    public static ConnRawClient connect(ConnTransport transport, TestBroker broker, ConnPackets.Connect connect)
            throws IOException {
        ConnRawClient c = open(transport, broker);
        c.send(connect);
        return c;
    }

    /** Opens a connection, sends {@code connect} and returns once a successful CONNACK arrived. */
    public static ConnRawClient connected(ConnTransport transport, TestBroker broker, ConnPackets.Connect connect)
            throws IOException {
        ConnRawClient c = connect(transport, broker, connect);
        ConnPackets.Packet connack = c.expect(ConnPackets.CONNACK);
        if (connack.connackCode() != 0) {
            c.close();
            throw new IllegalStateException("CONNACK code 0x" + Integer.toHexString(connack.connackCode()));
        }
        c.lastConnack = connack;
        return c;
    }

    /** The CONNACK read by {@link #connected}. */
    public ConnPackets.Packet connack() {
        return lastConnack;
    }

    public int version() {
        return version;
    }

    // ------------------------------------------------------------------ sending

    public void send(ConnPackets.Connect connect) throws IOException {
        int level = connect.version();
        if (level >= 3 && level <= 5) {
            version = level;
        }
        send(connect.encode());
    }

    public synchronized void send(byte[] packet) throws IOException {
        if (!webSocket) {
            out.write(packet);
        } else {
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.write(0x82); // FIN + binary
            if (packet.length < 126) {
                frame.write(0x80 | packet.length);
            } else if (packet.length < 65_536) {
                frame.write(0x80 | 126);
                frame.write(packet.length >> 8);
                frame.write(packet.length);
            } else {
                frame.write(0x80 | 127);
                for (int i = 7; i >= 0; i--) {
                    frame.write((int) ((long) packet.length >> (8 * i)));
                }
            }
            byte[] mask = new byte[4];
            RANDOM.nextBytes(mask);
            frame.writeBytes(mask);
            for (int i = 0; i < packet.length; i++) {
                frame.write(packet[i] ^ mask[i & 3]);
            }
            out.write(frame.toByteArray());
        }
        out.flush();
    }

    /** Subscribes and waits for the SUBACK; returns the granted QoS / reason code. */
    public int subscribe(int packetId, String filter, int qos) throws IOException {
        send(ConnPackets.subscribe(version, packetId, filter, qos));
        ConnPackets.Packet suback = expect(ConnPackets.SUBACK);
        var b = suback.buffer();
        if ((b.getShort() & 0xFFFF) != packetId) {
            throw new IllegalStateException("SUBACK for another packet id");
        }
        if (version == 5) {
            ConnProps.parse(b);
        }
        return b.get() & 0xFF;
    }

    public void publish(String topic, int qos, boolean retain, int packetId, String payload) throws IOException {
        send(ConnPackets.publish(version, topic, qos, retain, false, packetId,
                payload.getBytes(StandardCharsets.UTF_8), null));
    }

    public void ack(int type, int packetId) throws IOException {
        send(ConnPackets.ack(type, packetId));
    }

    public void disconnect(int reasonCode, ConnProps props) throws IOException {
        send(ConnPackets.disconnect(version, reasonCode, props));
    }

    // ------------------------------------------------------------------ receiving

    /** Reads the next packet, or throws {@link EOFException} when the broker closed the connection. */
    public ConnPackets.Packet read() throws IOException {
        int first = in.read();
        if (first < 0) {
            throw new EOFException("connection closed by the broker");
        }
        int length = 0;
        int shift = 0;
        int b;
        do {
            b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed inside a packet header");
            }
            length |= (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        byte[] body = in.readNBytes(length);
        if (body.length != length) {
            throw new EOFException("connection closed inside a packet");
        }
        return new ConnPackets.Packet(first >> 4, first & 0x0F, body);
    }

    /** Reads the next packet and checks its type. */
    public ConnPackets.Packet expect(int type) throws IOException {
        ConnPackets.Packet p = read();
        if (p.type() != type) {
            throw new IllegalStateException("expected packet type " + type + " but got " + p.type());
        }
        return p;
    }

    /** Reads the next PUBLISH. */
    public ConnPackets.Publish expectPublish() throws IOException {
        return expect(ConnPackets.PUBLISH).publish(version);
    }

    /**
     * Reads until the broker closes the connection (at most {@code timeout}) and returns the packets that
     * arrived before; throws if the connection is still open after the timeout.
     */
    public List<ConnPackets.Packet> awaitClose(Duration timeout) throws IOException {
        List<ConnPackets.Packet> received = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        try {
            while (true) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("connection still open after " + timeout + ", received " + received);
                }
                received.add(read());
            }
        } catch (EOFException | SocketException closed) {
            return received;
        } catch (SocketTimeoutException open) {
            throw new IllegalStateException("connection still open after " + timeout + ", received " + received);
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout((int) DEFAULT_TIMEOUT.toMillis());
            }
        }
    }

    public List<ConnPackets.Packet> awaitClose() throws IOException {
        return awaitClose(DEFAULT_TIMEOUT);
    }

    /** Drops the TCP connection without DISCONNECT (nor a WebSocket close frame). */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    // ------------------------------------------------------------------ WebSocket

    private static void upgrade(Socket socket, InputStream in, int port) throws IOException {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String request = "GET /mqtt HTTP/1.1\r\n"
                + "Host: " + TestBroker.HOST + ":" + port + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: mqtt\r\n\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("closed during WebSocket upgrade");
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String response = head.toString(StandardCharsets.US_ASCII);
        if (!response.startsWith("HTTP/1.1 101")) {
            throw new IOException("WebSocket upgrade refused: " + response.lines().findFirst().orElse(""));
        }
    }

    /** Unwraps the payload of the server's (unmasked) frames; a close frame reads as end of stream. */
    private static final class FrameInputStream extends InputStream {
        private final InputStream in;
        private byte[] current = new byte[0];
        private int pos;
        private boolean closed;

        FrameInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            while (pos >= current.length) {
                if (closed || !nextFrame()) {
                    closed = true;
                    return -1;
                }
            }
            return current[pos++] & 0xFF;
        }

        private boolean nextFrame() throws IOException {
            int b0 = in.read();
            int b1 = in.read();
            if (b0 < 0 || b1 < 0) {
                return false;
            }
            long len = b1 & 0x7F;
            if (len == 126) {
                len = ((long) readByte() << 8) | readByte();
            } else if (len == 127) {
                len = 0;
                for (int i = 0; i < 8; i++) {
                    len = (len << 8) | readByte();
                }
            }
            byte[] mask = null;
            if ((b1 & 0x80) != 0) {
                mask = in.readNBytes(4);
            }
            byte[] payload = in.readNBytes((int) len);
            if (payload.length != len) {
                return false;
            }
            if (mask != null) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i & 3];
                }
            }
            int opcode = b0 & 0x0F;
            if (opcode == 0x8) {
                return false;
            }
            if (opcode == 0x0 || opcode == 0x2) {
                current = payload;
                pos = 0;
            }
            return true;
        }

        private int readByte() throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            return b;
        }
    }
}
