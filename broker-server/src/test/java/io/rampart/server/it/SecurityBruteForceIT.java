package io.rampart.server.it;

import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.RawMqttClient;
import io.rampart.server.it.support.RawPacket;
import io.rampart.server.it.support.RawPackets;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.SecAccessLog;
import io.rampart.server.it.support.SecSetup;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.UUID;

import static io.rampart.server.it.support.Connects.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The brute-force brake end to end: after {@code threshold} bad-credential failures from one address the
 * next CONNECT is answered no sooner than the initial delay; a success clears only the failures of the user who
 * succeeded. Only lower bounds are asserted on time; the access log shows each delay.
 */
class SecurityBruteForceIT {

    private static final String PW = "bf-Pa55";

    @TempDir
    static Path dir;
    private static TestBroker broker;
    @RegisterExtension
    final Clients clients = new Clients(broker);

    @BeforeAll
    static void startBroker() {
        Path users = dir.resolve("users.yaml");
        SecSetup.writeUsers(users, """
                users:
                  - {username: alice, password: "%1$s", permissions: [{topic: "open/#"}]}
                  - {username: carol, password: "%1$s", permissions: [{topic: "open/#"}]}
                """.formatted(SecSetup.hash(PW)));
        broker = SecSetup.start("""
                realms:
                  - {name: local, type: file, path: "%s"}
                pipelines:
                  - name: default
                    listeners: ["*"]
                    authentication: [{type: password, realm: local}]
                    authorization: [{type: realm, realm: local}]
                brute-force: {enabled: true, threshold: 3, initial-delay-ms: 200, max-delay-ms: 2000, reset-after: 60}
                """.formatted(users));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    /** Sends a CONNECT on a new TCP connection; returns {reason code, milliseconds until the CONNACK}. */
    private long[] attempt(String password) {
        return attempt("sec-bf-" + UUID.randomUUID(), "alice", password);
    }

    private long[] attempt(String clientId, String user, String password) {
        RawMqttClient raw = clients.raw(RawTransport.TCP);
        byte[] connect = RawPackets.connect(RawPackets.V5).clientId(clientId)
                .credentials(user, utf8(password)).build();
        long start = System.nanoTime();
        RawPacket connack = raw.sendConnect(connect);
        long elapsed = (System.nanoTime() - start) / 1_000_000;
        assertThat(connack.type()).isEqualTo(RawPacket.CONNACK);
        raw.close();
        return new long[]{connack.reasonCode(), elapsed};
    }

    /** Addresses the brake tracks (reflection: the brake is internal to the security module). */
    private static int trackedAddresses() throws Exception {
        Field security = broker.broker().getClass().getDeclaredField("security");
        security.setAccessible(true);
        Object module = security.get(broker.broker());
        Method gate = module.getClass().getDeclaredMethod("gate", String.class);
        gate.setAccessible(true);
        Object pipelineGate = gate.invoke(module, "default");
        Field brake = pipelineGate.getClass().getDeclaredField("brake");
        brake.setAccessible(true);
        Object b = brake.get(pipelineGate);
        return (int) b.getClass().getMethod("trackedAddresses").invoke(b);
    }

    @Test
    void afterThresholdFailures_nextConnectIsSlowed_andASuccessClearsTheAddress() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(attempt("wrong")[0]).isEqualTo(0x86);
        }
        long[] slowed = attempt("wrong");
        assertThat(slowed[0]).isEqualTo(0x86);
        assertThat(slowed[1]).as("answer delay after 3 failures").isGreaterThanOrEqualTo(200);

        // The 5th attempt waits too (doubling), even with the right password; its success clears 127.0.0.1.
        long[] success = attempt(PW);
        assertThat(success[0]).isZero();
        assertThat(success[1]).isGreaterThanOrEqualTo(400);
        assertThat(trackedAddresses()).isZero();

        // Counting starts again from zero: the threshold has to be reached anew before any delay.
        for (int i = 0; i < 3; i++) {
            assertThat(attempt("wrong")[0]).isEqualTo(0x86);
        }
        assertThat(trackedAddresses()).isEqualTo(1);
        assertThat(attempt("wrong")[1]).isGreaterThanOrEqualTo(200);
        assertThat(attempt(PW)[0]).isZero();
        assertThat(trackedAddresses()).isZero();
    }

    /** The access-log line of the CONNECT with {@code clientId}. */
    private static String accessLine(String clientId) {
        return SecAccessLog.await("client=\"" + clientId + "\"", 1).get(0);
    }

    @Test
    void aValidLoginOfAnotherUser_fromTheGuessingAddress_doesNotReleaseTheBrake() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        for (int i = 1; i <= 4; i++) {
            assertThat(attempt("sec-bf-carol-" + run + "-" + i, "carol", "guess-" + i)[0]).isEqualTo(0x86);
        }
        assertThat(accessLine("sec-bf-carol-" + run + "-3")).doesNotContain("brute-force delay");
        assertThat(accessLine("sec-bf-carol-" + run + "-4"))
                .contains("reason=\"wrong password for 'carol' (answered after a brute-force delay of 200 ms)\"");

        // A compromised device holds alice's valid credentials: her success is hers alone.
        assertThat(attempt("sec-bf-alice-" + run, "alice", PW)[0]).isZero();
        assertThat(accessLine("sec-bf-alice-" + run)).contains("result=ALLOWED")
                .contains("(answered after a brute-force delay of 400 ms)");
        assertThat(trackedAddresses()).isEqualTo(1);

        assertThat(attempt("sec-bf-carol-" + run + "-5", "carol", "guess-5")[0]).isEqualTo(0x86);
        assertThat(accessLine("sec-bf-carol-" + run + "-5"))
                .contains("(answered after a brute-force delay of 400 ms)");

        // Carol's own success takes her failures off the address: nothing is tracked any more.
        assertThat(attempt("sec-bf-carol-" + run + "-ok", "carol", PW)[0]).isZero();
        assertThat(trackedAddresses()).isZero();
    }
}
