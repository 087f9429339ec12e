package io.rampart.cluster.support;

import io.rampart.cluster.ClusterSettings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Cluster settings for nodes on loopback, on free ports, with a development CA directory per test. */
public final class Nodes {

    private Nodes() {
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Settings for {@code count} nodes named {@code prefix-1..n} that list each other, all trusting {@code ca}. */
    public static List<ClusterSettings> settings(String prefix, int count, Path ca) {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ports.add(freePort());
        }
        List<String> members = ports.stream().map(p -> "127.0.0.1:" + p).toList();
        List<ClusterSettings> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(node(prefix + "-" + (i + 1), ports.get(i), members, ca));
        }
        return out;
    }

    public static ClusterSettings node(String name, int port, List<String> members, Path ca) {
        return new ClusterSettings(true, name, "127.0.0.1", port, members, null, null, null,
                new ClusterSettings.Tls(null, null, ca), 1, Duration.ofSeconds(3), Duration.ofSeconds(1));
    }
}
