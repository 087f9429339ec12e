package io.rampart.cluster.transport;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The byte layout of everything Rampart's nodes send each other and keep in the data grid: big-endian numbers,
 * length-prefixed UTF-8 strings and byte arrays, {@code -1} lengths for {@code null}.
 */
public final class Wire {

    private Wire() {
    }

    /** A growable output. */
    public static final class Out {
        private final ByteArrayOutputStream bytes;
        private final DataOutputStream out;

        public Out(int expectedSize) {
            bytes = new ByteArrayOutputStream(expectedSize);
            out = new DataOutputStream(bytes);
        }

        public Out writeByte(int b) {
            try {
                out.writeByte(b);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        public Out writeBoolean(boolean b) {
            return writeByte(b ? 1 : 0);
        }

        public Out writeInt(int v) {
            try {
                out.writeInt(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        public Out writeLong(long v) {
            try {
                out.writeLong(v);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        public Out writeBytes(byte[] b) {
            try {
                if (b == null) {
                    out.writeInt(-1);
                } else {
                    out.writeInt(b.length);
                    out.write(b);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        public Out writeString(String s) {
            return writeBytes(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
        }

        public byte[] toByteArray() {
            return bytes.toByteArray();
        }

        public int size() {
            return bytes.size();
        }
    }

    /** Reads what {@link Out} wrote; a truncated or inconsistent input is an {@link IOException}. */
    public static final class In {
        private final DataInputStream in;

        public In(byte[] data, int offset, int length) {
            in = new DataInputStream(new java.io.ByteArrayInputStream(data, offset, length));
        }

        public In(byte[] data) {
            this(data, 0, data.length);
        }

        public int readByte() throws IOException {
            return in.readUnsignedByte();
        }

        public boolean readBoolean() throws IOException {
            return in.readUnsignedByte() != 0;
        }

        public int readInt() throws IOException {
            return in.readInt();
        }

        public long readLong() throws IOException {
            return in.readLong();
        }

        public byte[] readBytes() throws IOException {
            int n = in.readInt();
            if (n < 0) {
                return null;
            }
            if (n > in.available()) {
                throw new IOException("length " + n + " beyond the end of the data");
            }
            byte[] b = new byte[n];
            in.readFully(b);
            return b;
        }

        public String readString() throws IOException {
            byte[] b = readBytes();
            return b == null ? null : new String(b, StandardCharsets.UTF_8);
        }

        public boolean hasMore() throws IOException {
            return in.available() > 0;
        }
    }
}
