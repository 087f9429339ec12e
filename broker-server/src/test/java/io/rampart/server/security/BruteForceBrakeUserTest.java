package io.rampart.server.security;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** The brake's per-user dimension: a user's failures slow down its attempts from any address. */
class BruteForceBrakeUserTest {

    @Test
    void failuresCount_perAddressAndPerUser_andASuccessClearsBoth() throws Exception {
        BruteForceBrake brake = new BruteForceBrake(true, 2, 100, 1000, 600);
        InetAddress a = InetAddress.getByName("10.0.0.1");
        InetAddress b = InetAddress.getByName("10.0.0.2");
        for (int i = 0; i < 3; i++) {
            brake.failure(a, "vera");
        }
        assertThat(brake.delayMillis(a, "otto")).as("the address").isEqualTo(200);
        assertThat(brake.delayMillis(b, "vera")).as("the user, elsewhere").isEqualTo(200);
        assertThat(brake.delayMillis(b, "otto")).isZero();
        assertThat(brake.delayMillis(a)).as("MQTT's per-address view").isEqualTo(200);
        brake.success(b, "vera");
        assertThat(brake.delayMillis(b, "vera")).isZero();
        assertThat(brake.delayMillis(a, "otto")).isEqualTo(200);
        assertThat(brake.delayMillis(null, null)).isZero();
    }
}
