package io.rampart.cluster;

import io.rampart.cluster.transport.Wire;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a node tells the others about itself.
 *
 * @param name          its node name
 * @param version       the Rampart version it runs
 * @param clientAddress where MQTT clients reach it ({@code host:port}), sent as the server reference when another node
 *                      sends clients there; {@code null} when not configured
 * @param startedAt     when it joined
 */
public record NodeInfo(String name, String version, String clientAddress, Instant startedAt) {

    public NodeInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(startedAt, "startedAt");
    }

    byte[] encode() {
        return new Wire.Out(64).writeByte(1).writeString(name).writeString(version).writeString(clientAddress)
                .writeLong(startedAt.toEpochMilli()).toByteArray();
    }

    static NodeInfo decode(byte[] data) throws IOException {
        Wire.In in = new Wire.In(data);
        in.readByte();
        return new NodeInfo(in.readString(), in.readString(), in.readString(), Instant.ofEpochMilli(in.readLong()));
    }

    static List<String> addresses(List<NodeInfo> nodes) {
        List<String> out = new ArrayList<>();
        for (NodeInfo n : nodes) {
            if (n.clientAddress() != null) {
                out.add(n.clientAddress());
            }
        }
        return out;
    }
}
