package io.rampart.server.config;

import io.netty.util.NetUtil;

import java.util.Arrays;
import java.util.Locale;

/** Syntax checks for a listener's bind address. Never resolves names: configuration checks must not touch DNS. */
final class BindAddress {

    private static final int MAX_HOST_NAME = 253;
    private static final int MAX_LABEL = 63;

    private BindAddress() {
    }

    static boolean isValid(String bind) {
        return NetUtil.isValidIpV4Address(bind) || NetUtil.isValidIpV6Address(bind) || isHostName(bind);
    }

    /** Whether {@code bind} reaches this machine only: a loopback IP literal or {@code localhost}. */
    static boolean isLoopback(String bind) {
        if (bind.equalsIgnoreCase("localhost")) {
            return true;
        }
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(bind);
        if (ip == null) {
            return false;
        }
        if (ip.length == 4) {
            return ip[0] == 127;
        }
        for (int i = 0; i < 15; i++) {
            if (ip[i] != 0) {
                return false;
            }
        }
        return ip[15] == 1;
    }

    /** Whether two listeners on these addresses and the same port would fight over the socket. */
    static boolean overlap(String a, String b) {
        byte[] ipA = NetUtil.createByteArrayFromIpAddressString(a);
        byte[] ipB = NetUtil.createByteArrayFromIpAddressString(b);
        if (ipA == null || ipB == null) {
            // at least one host name: equal names clash; a wildcard clashes with anything it may resolve to
            return a.toLowerCase(Locale.ROOT).equals(b.toLowerCase(Locale.ROOT))
                    || isWildcard(ipA) || isWildcard(ipB);
        }
        if (Arrays.equals(ipA, ipB)) {
            return true;
        }
        // 0.0.0.0 takes every IPv4 address; :: (dual stack by default) takes every address
        return isWildcard(ipA) && (ipA.length == ipB.length || ipA.length == 16)
                || isWildcard(ipB) && (ipA.length == ipB.length || ipB.length == 16);
    }

    private static boolean isWildcard(byte[] ip) {
        if (ip == null) {
            return false;
        }
        for (byte octet : ip) {
            if (octet != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHostName(String name) {
        if (name.isEmpty() || name.length() > MAX_HOST_NAME) {
            return false;
        }
        String[] labels = name.split("\\.", -1);
        for (String label : labels) {
            if (!isLabel(label)) {
                return false;
            }
        }
        // a last label of only digits is a mistyped IPv4 address (999.0.0.1), not a name
        return !labels[labels.length - 1].chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static boolean isLabel(String label) {
        if (label.isEmpty() || label.length() > MAX_LABEL
                || label.charAt(0) == '-' || label.charAt(label.length() - 1) == '-') {
            return false;
        }
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
