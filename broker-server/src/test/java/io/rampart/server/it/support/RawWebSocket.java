package io.rampart.server.it.support;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A byte-level WebSocket client (RFC 6455) on a plain {@link Socket}: the HTTP upgrade written by hand,
 * masked frames of any opcode and fragmentation, and an {@link InputStream} over the payloads of the binary
 * frames the server sends (for {@link RawMqttClient}). Nothing is hidden, so tests can split MQTT packets
 * across frames, pack several into one, or send frames MQTT forbids.
 */
public final class RawWebSocket implements AutoCloseable {

    public static final int OP_CONTINUATION = 0x0;
    public static final int OP_TEXT = 0x1;
    public static final int OP_BINARY = 0x2;
    public static final int OP_CLOSE = 0x8;
    public static final int OP_PING = 0x9;
    public static final int OP_PONG = 0xA;

    private static final SecureRandom RANDOM = new SecureRandom();

    /** The server's answer to the upgrade request; header names are lower case. */
    public record HandshakeResponse(int status, String statusLine, Map<String, String> headers) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final HandshakeResponse response;
    private final PayloadStream payloadStream = new PayloadStream();

    private RawWebSocket(Socket socket, HandshakeResponse response) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.response = response;
    }

    /**
     * Upgrades and returns the open WebSocket; fails unless the server answers 101.
     *
     * @param subprotocol the Sec-WebSocket-Protocol list to offer, or {@code null} for none
     */
    public static RawWebSocket open(String host, int port, String path, String subprotocol) throws IOException {
        Socket socket = connectSocket(host, port);
        try {
            HandshakeResponse r = upgrade(socket, host, port, path, subprotocol);
            if (r.status() != 101) {
                throw new IOException("WebSocket upgrade refused: " + r.statusLine());
            }
            return new RawWebSocket(socket, r);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends only the upgrade request and returns the answer (to check refusals); the socket is closed. */
    public static HandshakeResponse handshake(String host, int port, String path, String subprotocol) throws IOException {
        try (Socket socket = connectSocket(host, port)) {
            return upgrade(socket, host, port, path, subprotocol);
        }
    }

    private static Socket connectSocket(String host, int port) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), 5_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static HandshakeResponse upgrade(Socket socket, String host, int port, String path, String subprotocol)
            throws IOException {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        StringBuilder request = new StringBuilder()
                .append("GET ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append(':').append(port).append("\r\n")
                .append("Upgrade: websocket\r\n")
                .append("Connection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(key).append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        if (subprotocol != null) {
            request.append("Sec-WebSocket-Protocol: ").append(subprotocol).append("\r\n");
        }
        request.append("\r\n");
        socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();

        String head = readHead(socket.getInputStream());
        String[] lines = head.split("\r\n");
        String[] statusParts = lines[0].split(" ", 3);
        if (statusParts.length < 2 || !statusParts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP response: " + lines[0]);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        HandshakeResponse response = new HandshakeResponse(Integer.parseInt(statusParts[1]), lines[0], headers);
        if (response.status() == 101 && !acceptFor(key).equals(response.header("Sec-WebSocket-Accept"))) {
            throw new IOException("wrong Sec-WebSocket-Accept: " + response.header("Sec-WebSocket-Accept"));
        }
        return response;
    }

    /** Reads the status line and headers byte by byte, so no frame bytes are consumed. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        byte[] end = {'\r', '\n', '\r', '\n'};
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the HTTP upgrade after: " + head);
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            if (head.size() > 16_384) {
                throw new IOException("HTTP response head too long");
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static String acceptFor(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(
                    (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public HandshakeResponse response() {
        return response;
    }

    public Socket socket() {
        return socket;
    }

    // ------------------------------------------------------------------ sending

    /** One masked frame, as a client must send it (RFC 6455 §5.3). */
    public void sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
        sendFrames(frame(fin, opcode, payload));
    }

    /** Several complete frames in one TCP write. */
    public synchronized void sendFrames(byte[]... frames) throws IOException {
        out.write(RawPackets.concat(frames));
        out.flush();
    }

    /** The bytes of one masked frame (to combine with {@link #sendFrames}). */
    public static byte[] frame(boolean fin, int opcode, byte[] payload) {
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        return frame(fin, opcode, payload, mask);
    }

    /** The bytes of one frame masked with {@code mask} (4 bytes), or unmasked when it is {@code null}. */
    public static byte[] frame(boolean fin, int opcode, byte[] payload, byte[] mask) {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write((fin ? 0x80 : 0) | opcode);
        int n = payload.length;
        int masked = mask == null ? 0 : 0x80;
        if (n < 126) {
            f.write(masked | n);
        } else if (n < 65_536) {
            f.write(masked | 126);
            f.write(n >> 8);
            f.write(n);
        } else {
            f.write(masked | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                f.write((int) ((long) n >> shift) & 0xFF);
            }
        }
        if (mask == null) {
            f.writeBytes(payload);
            return f.toByteArray();
        }
        f.writeBytes(mask);
        for (int i = 0; i < n; i++) {
            f.write(payload[i] ^ mask[i & 3]);
        }
        return f.toByteArray();
    }

    public void sendBinary(byte[] payload) throws IOException {
        sendFrame(true, OP_BINARY, payload);
    }

    public void sendText(String text) throws IOException {
        sendFrame(true, OP_TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** One binary message fragmented into frames of at most {@code fragmentSize} bytes (binary + continuations). */
    public void sendFragmented(byte[] payload, int fragmentSize) throws IOException {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        for (int off = 0; off < payload.length; off += fragmentSize) {
            int end = Math.min(payload.length, off + fragmentSize);
            frames.writeBytes(frame(end == payload.length, off == 0 ? OP_BINARY : OP_CONTINUATION,
                    Arrays.copyOfRange(payload, off, end)));
        }
        sendFrames(frames.toByteArray());
    }

    // ------------------------------------------------------------------ receiving

    /**
     * The concatenated payloads of the binary (and continuation) frames the server sends. A close frame or
     * the end of the TCP stream reads as end of stream; pings are answered; a text frame is an error.
     */
    public InputStream payloadStream() {
        return payloadStream;
    }

    /** The close frame the server sent, if the payload stream ended with one ({@code null} otherwise). */
    public byte[] closeFrame() {
        return payloadStream.closePayload;
    }

    /** The status code of the server's close frame (RFC 6455 §7.4), or -1 when none with a code arrived. */
    public int closeCode() {
        byte[] close = closeFrame();
        return close == null || close.length < 2 ? -1 : ((close[0] & 0xFF) << 8) | (close[1] & 0xFF);
    }

    private final class PayloadStream extends InputStream {
        private byte[] current = new byte[0];
        private int pos;
        private boolean ended;
        private volatile byte[] closePayload;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (pos >= current.length) {
                if (ended || !nextFrame()) {
                    ended = true;
                    return -1;
                }
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }

        /** Reads one frame; false at the end of the stream or on a close frame. */
        private boolean nextFrame() throws IOException {
            int b0 = in.read();
            if (b0 < 0) {
                return false;
            }
            int b1 = readByte();
            long len = b1 & 0x7F;
            if (len == 126) {
                len = (readByte() << 8) | readByte();
            } else if (len == 127) {
                len = 0;
                for (int i = 0; i < 8; i++) {
                    len = (len << 8) | readByte();
                }
            }
            byte[] mask = (b1 & 0x80) != 0 ? in.readNBytes(4) : null;
            byte[] payload = in.readNBytes((int) len);
            if (payload.length < len) {
                return false;
            }
            if (mask != null) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i & 3];
                }
            }
            int opcode = b0 & 0x0F;
            current = new byte[0];
            pos = 0;
            switch (opcode) {
                case OP_BINARY, OP_CONTINUATION -> current = payload;
                case OP_CLOSE -> {
                    closePayload = payload;
                    return false;
                }
                case OP_PING -> sendFrame(true, OP_PONG, payload);
                case OP_PONG -> { }
                default -> throw new IOException("unexpected WebSocket frame opcode " + opcode + " from the server");
            }
            return true;
        }

        private int readByte() throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed inside a WebSocket frame header");
            }
            return b;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
