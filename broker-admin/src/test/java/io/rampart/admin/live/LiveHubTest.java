package io.rampart.admin.live;

import io.rampart.admin.MutableClock;
import io.rampart.admin.auth.AdminPrincipal;
import io.rampart.admin.auth.AuthMethod;
import io.rampart.admin.http.EventStream;
import io.rampart.admin.rbac.AdminGrants;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class LiveHubTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final AtomicInteger samples = new AtomicInteger();
    private final LiveHub hub = new LiveHub(() -> "{\"n\":" + samples.incrementAndGet() + "}", clock);

    /** Records what a stream sends. */
    private static final class Recorder implements EventStream.Sink {
        final List<String> events = new ArrayList<>();
        boolean open = true;

        @Override
        public boolean send(String event, String data) {
            events.add(event + " " + data);
            return true;
        }

        @Override
        public void comment(String text) {
        }

        @Override
        public void close() {
            open = false;
        }

        @Override
        public boolean isOpen() {
            return open;
        }
    }

    private static AdminPrincipal caller(String name) {
        return new AdminPrincipal(name, "admins", AuthMethod.SESSION, null, Set.of(), Map.of(), "password", null,
                AdminGrants.NONE);
    }

    private static AccessDecision decision(String client) {
        return new AccessDecision(Instant.EPOCH, "PUBLISH", false, "not-authorized", "tcp", null, -1, client, null,
                null, "t", 1, "m", "r", "denied", null);
    }

    @Test
    void metrics_areSampledOncePerTick_howeverManyWatch() {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        hub.metrics(caller("a"), () -> true, 1).open(a);
        hub.metrics(caller("b"), () -> true, 2).open(b);
        int opened = samples.get();
        hub.tick();
        assertThat(samples.get()).isEqualTo(opened + 1);
        hub.tick();
        assertThat(samples.get()).isEqualTo(opened + 2);
        assertThat(a.events).hasSize(3);
        assertThat(b.events).as("every 2 s, after the first at once").hasSize(2);
    }

    @Test
    void accessLines_areFilteredAsTheyHappen_boundedBetweenTicks_andTheRestCounted() {
        Recorder sink = new Recorder();
        EventStream s = hub.access(caller("a"), () -> true, d -> d.client().startsWith("x") ? Map.of("c", d.client()) : null);
        assertThat(hub.wantsAccess()).isFalse();
        s.open(sink);
        assertThat(hub.wantsAccess()).isTrue();
        for (int i = 0; i < LiveHub.ACCESS_QUEUE + 5; i++) {
            hub.access(decision("x" + i));
            hub.access(decision("y" + i));
        }
        hub.tick();
        assertThat(sink.events).hasSize(LiveHub.ACCESS_QUEUE + 1);
        assertThat(sink.events.get(0)).isEqualTo("access {\"c\":\"x0\"}");
        assertThat(sink.events.get(LiveHub.ACCESS_QUEUE)).isEqualTo("dropped {\"count\":5}");
        s.closed();
        assertThat(hub.wantsAccess()).isFalse();
        assertThat(hub.openStreams()).isZero();
    }

    @Test
    void clientChanges_inScope_areSentOncePerTick() {
        Recorder sink = new Recorder();
        hub.clients(caller("a"), () -> true, id -> id.startsWith("site-a/")).open(sink);
        hub.clientChanged("site-a/1", true);
        hub.clientChanged("site-b/1", true);
        hub.clientChanged("site-a/2", false);
        hub.tick();
        hub.tick();
        assertThat(sink.events).singleElement().satisfies(e -> assertThat(e).startsWith("clients ")
                .contains("\"connected\":1").contains("\"disconnected\":1").contains("site-a/1", "site-a/2")
                .doesNotContain("site-b"));
    }

    @Test
    void aStream_endsWithItsSession_andAfterTheLongestDuration() {
        AtomicBoolean alive = new AtomicBoolean(true);
        Recorder ended = new Recorder();
        hub.metrics(caller("a"), alive::get, 1).open(ended);
        Recorder old = new Recorder();
        hub.clients(caller("a"), () -> true, id -> true).open(old);
        alive.set(false);
        hub.tick();
        assertThat(ended.open).isFalse();
        assertThat(ended.events).last().asString().startsWith("end ");
        assertThat(old.open).isTrue();
        clock.advance(LiveHub.MAX_DURATION.plus(Duration.ofSeconds(1)));
        hub.tick();
        assertThat(old.open).isFalse();
    }

    @Test
    void aCaller_mayHoldALimitedNumberOfStreams() {
        for (int i = 0; i < LiveHub.MAX_STREAMS_PER_CALLER; i++) {
            assertThat(hub.admits(caller("a"))).isTrue();
            hub.metrics(caller("a"), () -> true, 1).open(new Recorder());
        }
        assertThat(hub.admits(caller("a"))).isFalse();
        assertThat(hub.admits(caller("b"))).isTrue();
    }
}
