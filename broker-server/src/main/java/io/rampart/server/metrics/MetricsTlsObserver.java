package io.rampart.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.rampart.tls.TlsObserver;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts TLS handshakes ({@code rampart.tls.handshakes} by listener, result, protocol and cipher) and
 * revocation checks ({@code rampart.tls.revocation.checks} by method, result and cached). Handshakes are
 * per connection, not per message: the registry's own meter lookup is cheap enough here.
 */
final class MetricsTlsObserver implements TlsObserver {

    private final MeterRegistry registry;
    private final LongAdder failures = new LongAdder();

    MetricsTlsObserver(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void handshake(String listener, String result, String protocol, String cipher) {
        if (!"success".equals(result)) {
            failures.increment();
        }
        Counter.builder("rampart.tls.handshakes")
                .tags("listener", orUnknown(listener), "result", orUnknown(result), "protocol", orUnknown(protocol),
                        "cipher", orUnknown(cipher))
                .description("TLS handshakes by listener, result, protocol and cipher suite")
                .register(registry).increment();
    }

    @Override
    public void revocationCheck(String method, String result, boolean cached) {
        Counter.builder("rampart.tls.revocation.checks")
                .tags("method", orUnknown(method), "result", orUnknown(result), "cached", Boolean.toString(cached))
                .description("Certificate revocation checks by method (crl, ocsp), result and cache use")
                .register(registry).increment();
    }

    /** Handshakes that failed, all listeners and reasons together. */
    long failures() {
        return failures.sum();
    }

    private static String orUnknown(String value) {
        return value == null || value.isEmpty() ? "unknown" : value;
    }
}
