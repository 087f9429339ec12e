package io.rampart.server.it.support;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A byte-level MQTT client for protocol tests: it writes exactly the bytes it is given (see
 * {@link RawPackets} for builders, including malformed ones) over TCP or a {@link RawWebSocket}, and reads
 * whole packets with a deadline. Reads never hang: each takes a timeout and fails the test with what was
 * (or was not) received. I/O errors surface as {@link UncheckedIOException} so tests stay terse.
 */
public final class RawMqttClient implements AutoCloseable {

    /** The default wait for an expected packet or for the broker to close the connection. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Socket socket;
    private final InputStream in;
    private final RawWebSocket webSocket;
    private int version = RawPackets.V3_1_1;
    private RawPacket connack;

    private RawMqttClient(Socket socket, InputStream in, RawWebSocket webSocket) {
        this.socket = socket;
        this.in = in;
        this.webSocket = webSocket;
    }

    /** A TCP connection to {@code 127.0.0.1:port}; nothing is sent yet. */
    public static RawMqttClient tcp(int port) {
        return tcp(port, s -> { });
    }

    /** A TCP connection, with a hook to set socket options (e.g. a small receive buffer) before connecting. */
    public static RawMqttClient tcp(int port, Consumer<Socket> beforeConnect) {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            beforeConnect.accept(socket);
            socket.connect(new InetSocketAddress(TestBroker.HOST, port), 5_000);
            return new RawMqttClient(socket, socket.getInputStream(), null);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new UncheckedIOException("cannot connect to port " + port, e);
        }
    }

    /** MQTT over a WebSocket upgraded on {@code path} with subprotocol {@code mqtt}. */
    public static RawMqttClient webSocket(int port, String path) {
        try {
            return over(RawWebSocket.open(TestBroker.HOST, port, path, "mqtt"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open WebSocket on port " + port + path, e);
        }
    }

    /** MQTT over an already upgraded WebSocket; each {@link #send} becomes one binary frame. */
    public static RawMqttClient over(RawWebSocket ws) {
        return new RawMqttClient(ws.socket(), ws.payloadStream(), ws);
    }

    /** The protocol level used to decode received packets; {@link #sendConnect} sets it from the CONNECT sent. */
    public RawMqttClient version(int protocolLevel) {
        this.version = protocolLevel;
        return this;
    }

    public int version() {
        return version;
    }

    public Socket socket() {
        return socket;
    }

    /** The WebSocket underneath, or {@code null} over plain TCP. */
    public RawWebSocket webSocket() {
        return webSocket;
    }

    // ------------------------------------------------------------------ sending

    /** Writes the packets in one write (TCP) or one binary frame (WebSocket). */
    public RawMqttClient send(byte[]... packets) {
        byte[] bytes = RawPackets.concat(packets);
        try {
            if (webSocket != null) {
                webSocket.sendBinary(bytes);
            } else {
                socket.getOutputStream().write(bytes);
                socket.getOutputStream().flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("send failed", e);
        }
        return this;
    }

    /** Sends a CONNECT and returns the broker's first answer, whatever it is. */
    public RawPacket sendConnect(byte[] connectPacket) {
        version = protocolLevelOf(connectPacket);
        send(connectPacket);
        return read();
    }

    /** Connects with clean start and asserts a successful CONNACK. */
    public RawPacket connect(int protocolLevel, String clientId) {
        return connect(RawPackets.connect(protocolLevel, clientId));
    }

    /** Sends the CONNECT and asserts a successful CONNACK. */
    public RawPacket connect(byte[] connectPacket) {
        RawPacket connack = sendConnect(connectPacket);
        if (connack.type() != RawPacket.CONNACK || connack.reasonCode() != 0) {
            throw new AssertionError("expected a successful CONNACK but received " + connack);
        }
        this.connack = connack;
        return connack;
    }

    /** The successful CONNACK received by {@link #connect}, or {@code null}. */
    public RawPacket connack() {
        return connack;
    }

    /** Subscribes to the filters with the given options byte and returns the SUBACK. */
    public RawPacket subscribe(int packetId, int options, String... filters) {
        send(RawPackets.subscribe(version, packetId, options, filters));
        return expect(RawPacket.SUBACK);
    }

    /** The protocol level byte of a CONNECT packet. */
    static int protocolLevelOf(byte[] connect) {
        int pos = 1;
        while ((connect[pos] & 0x80) != 0) {
            pos++;
        }
        // after the remaining length: the protocol name (two-byte length + name), then the level
        int nameLength = ((connect[pos + 1] & 0xFF) << 8) | (connect[pos + 2] & 0xFF);
        return connect[pos + 3 + nameLength] & 0xFF;
    }

    // ------------------------------------------------------------------ receiving

    /** The next packet within {@link #TIMEOUT}. */
    public RawPacket read() {
        return read(TIMEOUT);
    }

    /** The next packet; fails if none arrives in time or the broker closes the connection first. */
    public RawPacket read(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            RawPacket p = readPacket(deadline);
            if (p == null) {
                throw new AssertionError("the broker closed the connection instead of sending a packet");
            }
            return p;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no packet from the broker within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next packet, which must have the given type. */
    public RawPacket expect(int type) {
        RawPacket p = read();
        if (p.type() != type) {
            throw new AssertionError("expected packet type " + type + " but received " + p);
        }
        return p;
    }

    /**
     * Reads until the broker closes the connection (end of stream or reset) and returns the packets that
     * arrived before; fails if the connection is still open after {@code timeout}.
     */
    public List<RawPacket> readUntilClosed(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<RawPacket> received = new ArrayList<>();
        try {
            while (true) {
                RawPacket p = readPacket(deadline);
                if (p == null) {
                    return received;
                }
                received.add(p);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the broker did not close the connection within " + timeout.toMillis()
                    + " ms; received " + received);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #readUntilClosed(Duration)} with {@link #TIMEOUT}. */
    public List<RawPacket> readUntilClosed() {
        return readUntilClosed(TIMEOUT);
    }

    /** Whether a PINGREQ is answered with PINGRESP (the connection is alive and being served). */
    public boolean ping() {
        send(RawPackets.pingreq());
        return read().type() == RawPacket.PINGRESP;
    }

    /** Reads one packet; {@code null} when the connection ended (also in the middle of a packet). */
    private RawPacket readPacket(long deadline) throws IOException {
        try {
            int first = readByte(deadline);
            if (first < 0) {
                return null;
            }
            int length = 0;
            int multiplier = 1;
            for (int i = 0; ; i++) {
                int digit = readByte(deadline);
                if (digit < 0) {
                    return null;
                }
                length += (digit & 0x7F) * multiplier;
                if ((digit & 0x80) == 0) {
                    break;
                }
                if (i == 3) {
                    throw new IOException("the broker sent a remaining length longer than 4 bytes");
                }
                multiplier *= 128;
            }
            byte[] body = new byte[length];
            int off = 0;
            while (off < length) {
                setTimeout(deadline);
                int n = in.read(body, off, length - off);
                if (n < 0) {
                    return null;
                }
                off += n;
            }
            return new RawPacket(first >> 4, first & 0x0F, body, version);
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (EOFException | SocketException e) {
            // a reset is still a close: the broker closed while our data was unread
            return null;
        }
    }

    private int readByte(long deadline) throws IOException {
        setTimeout(deadline);
        return in.read();
    }

    private void setTimeout(long deadline) throws IOException {
        long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
        if (remainingMillis <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, remainingMillis));
    }

    // ------------------------------------------------------------------ closing

    /** Closes abruptly with a TCP reset (SO_LINGER 0), like a crashed client. */
    public void abort() {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // already closed
        }
        closeQuietly(socket);
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }
}
