package io.rampart.server.security;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The brake's counting rules, on a clock the test moves. */
class BruteForceBrakeTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final BruteForceBrake brake = new BruteForceBrake(true, 3, 100, 1_000, 60, now::get);

    private static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final InetAddress A = ip("10.0.0.1");
    private static final InetAddress B = ip("10.0.0.2");

    private void fail(InetAddress address, String user, int times) {
        for (int i = 0; i < times; i++) {
            brake.failure(address, user);
        }
    }

    @Test
    void delay_startsAtTheThreshold_doublesPerFailure_andIsCapped() {
        fail(A, "carol", 2);
        assertThat(brake.delayMillis(A, "carol")).isZero();
        fail(A, "carol", 1);
        assertThat(brake.delayMillis(A, "carol")).isEqualTo(100);
        fail(A, "carol", 1);
        assertThat(brake.delayMillis(A, "carol")).isEqualTo(200);
        fail(A, "carol", 10);
        assertThat(brake.delayMillis(A, "carol")).isEqualTo(1_000);
    }

    @Test
    void reportedSequence_aValidLoginOfAnotherUser_doesNotReleaseTheAddress() {
        fail(A, "carol", 4);
        brake.success(A, "alice");

        assertThat(brake.delayMillis(A, "carol")).as("guessing carol goes on throttled").isEqualTo(200);
        assertThat(brake.delayMillis(A, "mallory")).as("the address is still over its threshold").isEqualTo(200);
        assertThat(brake.delayMillis(B, "carol")).as("carol is over her threshold from anywhere").isEqualTo(200);
        assertThat(brake.delayMillis(B, "alice")).isZero();
    }

    @Test
    void success_clearsOnlyTheFailuresOfTheUserWhoSucceeded() {
        fail(A, "alice", 2);
        fail(A, "carol", 2);
        assertThat(brake.delayMillis(A, "dave")).as("4 failures from A").isEqualTo(200);

        brake.success(A, "alice");

        assertThat(brake.delayMillis(A, "dave")).as("carol's 2 remain, under the threshold").isZero();
        assertThat(brake.delayMillis(A, "alice")).isZero();
        assertThat(brake.trackedUsers()).as("carol's counter").isEqualTo(1);
        fail(A, "carol", 1);
        assertThat(brake.delayMillis(A, "dave")).isEqualTo(100);
    }

    @Test
    void success_ofAllTheAddressesFailures_forgetsTheAddress() {
        fail(A, "alice", 4);
        brake.success(A, "alice");
        assertThat(brake.trackedAddresses()).isZero();
        assertThat(brake.trackedUsers()).isZero();
        assertThat(brake.delayMillis(A, "alice")).isZero();
    }

    @Test
    void userCounter_addsUpFailuresFromEveryAddress() {
        brake.failure(A, "carol");
        brake.failure(B, "carol");
        brake.failure(ip("10.0.0.3"), "carol");

        assertThat(brake.delayMillis(ip("10.0.0.4"), "carol")).isEqualTo(100);
        assertThat(brake.delayMillis(ip("10.0.0.4"), "dave")).isZero();
        assertThat(brake.delayMillis(A, "dave")).isZero();
    }

    @Test
    void successWithoutUserName_clearsNothing() {
        fail(A, null, 3);
        brake.success(A, null);
        assertThat(brake.delayMillis(A, null)).isEqualTo(100);
        assertThat(brake.trackedUsers()).isZero();
    }

    @Test
    void counters_areForgottenAfterTheResetTime_notBeforeIt() {
        fail(A, "carol", 4);
        now.addAndGet(TimeUnit.SECONDS.toNanos(59));
        assertThat(brake.delayMillis(A, "x")).isEqualTo(200);

        now.addAndGet(TimeUnit.SECONDS.toNanos(2));
        assertThat(brake.delayMillis(A, "carol")).isZero();
        assertThat(brake.trackedAddresses()).isZero();
        assertThat(brake.trackedUsers()).isZero();

        brake.failure(A, "carol");
        assertThat(brake.delayMillis(A, "carol")).as("counting starts again from one").isZero();
    }

    @Test
    void tables_stayBounded_droppingTheStalestFirst() throws Exception {
        for (int i = 0; i < BruteForceBrake.MAX_TRACKED; i++) {
            now.incrementAndGet();
            brake.failure(InetAddress.getByAddress(new byte[]{10, (byte) (i >> 16), (byte) (i >> 8), (byte) i}), "u" + i);
        }
        InetAddress newest = InetAddress.getByAddress(new byte[]{11, 0, 0, 1});
        fail(newest, "fresh", 3);

        assertThat(brake.trackedAddresses()).isLessThanOrEqualTo(BruteForceBrake.MAX_TRACKED);
        assertThat(brake.trackedUsers()).isLessThanOrEqualTo(BruteForceBrake.MAX_TRACKED);
        assertThat(brake.delayMillis(newest, "fresh")).isEqualTo(100);
        assertThat(brake.trackedAddresses()).as("the stalest tenth went").isLessThan(BruteForceBrake.MAX_TRACKED * 95 / 100);
    }

    @Test
    void namesPerAddress_areBounded_theAddressCountIsNot() {
        for (int i = 0; i < BruteForceBrake.MAX_NAMES_PER_ADDRESS + 10; i++) {
            brake.failure(A, "name-" + i);
        }
        brake.success(A, "name-" + (BruteForceBrake.MAX_NAMES_PER_ADDRESS + 5));
        assertThat(brake.delayMillis(A, "x")).isEqualTo(1_000);
    }

    @Test
    void longUserNames_areTrackedBySmallKeys_andStillDistinct() {
        String a = "a".repeat(70_000);
        String b = "a".repeat(69_999) + "b";
        fail(A, a, 3);
        assertThat(brake.delayMillis(B, a)).isEqualTo(100);
        assertThat(brake.delayMillis(B, b)).isZero();
    }

    @Test
    void disabled_neverDelays() {
        BruteForceBrake off = new BruteForceBrake(false, 1, 100, 1_000, 60, now::get);
        off.failure(A, "carol");
        off.failure(A, "carol");
        assertThat(off.delayMillis(A, "carol")).isZero();
        assertThat(off.trackedAddresses()).isZero();
    }
}
