package io.rampart.server.admin;

import io.rampart.admin.auth.LoginThrottle;
import io.rampart.server.security.BruteForceBrake;

import java.net.InetAddress;

/** The admin API's login brake: the broker's brute-force brake, per address and per user. */
final class BrakeThrottle implements LoginThrottle {

    private final BruteForceBrake brake;

    BrakeThrottle(BruteForceBrake brake) {
        this.brake = brake;
    }

    @Override
    public long delayMillis(InetAddress address, String user) {
        return brake.delayMillis(address, user);
    }

    @Override
    public void failure(InetAddress address, String user) {
        brake.failure(address, user);
    }

    @Override
    public void success(InetAddress address, String user) {
        brake.success(address, user);
    }
}
