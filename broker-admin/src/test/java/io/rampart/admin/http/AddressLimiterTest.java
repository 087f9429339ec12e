package io.rampart.admin.http;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

class AddressLimiterTest {

    @Test
    void eachAddress_hasItsOwnLimit_andReleasedSlotsAreForgotten() throws Exception {
        AddressLimiter limiter = new AddressLimiter(2);
        InetAddress a = InetAddress.getByName("10.0.0.1");
        InetAddress b = InetAddress.getByName("10.0.0.2");
        assertThat(limiter.tryAcquire(a)).isTrue();
        assertThat(limiter.tryAcquire(a)).isTrue();
        assertThat(limiter.tryAcquire(a)).isFalse();
        assertThat(limiter.tryAcquire(b)).isTrue();
        limiter.release(a);
        assertThat(limiter.tryAcquire(a)).isTrue();
        limiter.release(a);
        limiter.release(a);
        limiter.release(b);
        assertThat(limiter.trackedAddresses()).isZero();
    }
}
