package io.rampart.cluster.session;

import io.rampart.cluster.transport.Wire;
import io.rampart.core.cluster.QueuedMessage;
import io.rampart.core.cluster.SessionSnapshot;
import io.rampart.core.message.Message;
import io.rampart.core.message.MessageProperties;
import io.rampart.core.message.UserProperty;
import io.rampart.core.session.SessionOwner;
import io.rampart.core.session.Will;
import io.rampart.core.topic.Subscription;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SessionCodecTest {

    @Test
    void aSnapshot_survivesTheTrip_withPropertiesExpiryAndStages() throws IOException {
        MessageProperties props = new MessageProperties(1, "text/plain", "reply/to", new byte[]{9},
                List.of(new UserProperty("k", "v"), new UserProperty("k", "w")));
        Message expiring = Message.of("a/b", 2, true, "x".getBytes(StandardCharsets.UTF_8), props, "pub", 3600);
        SessionSnapshot s = new SessionSnapshot("c-1", 600, new SessionOwner("realm local", "alice"),
                new Will("will/t", 1, true, new byte[]{1, 2}, MessageProperties.NONE, 30, 5),
                List.of(new Subscription("c-1", "a/#", null, 2, true, true, 1, 7),
                        new Subscription("c-1", "jobs/+", "g", 1, false, false, 0, 0)),
                List.of(new QueuedMessage(4, expiring, 2, false, new int[]{7}, null, null,
                                QueuedMessage.Stage.RELEASING),
                        new QueuedMessage(5, Message.of("jobs/1", 1, false, new byte[0], null, null, 0), 1, false,
                                new int[0], "g", "jobs/+", QueuedMessage.Stage.QUEUED)),
                List.of(17, 18), 6, false, 1_700_000_000_000L);

        SessionSnapshot back = SessionCodec.snapshot(new Wire.In(SessionCodec.snapshot(s)));

        assertThat(back.clientId()).isEqualTo("c-1");
        assertThat(back.expiryIntervalSeconds()).isEqualTo(600);
        assertThat(back.owner()).isEqualTo(s.owner());
        assertThat(back.will().delaySeconds()).isEqualTo(5);
        assertThat(back.will().payload()).containsExactly(1, 2);
        assertThat(back.subscriptions()).isEqualTo(s.subscriptions());
        assertThat(back.inboundQos2()).containsExactly(17, 18);
        assertThat(back.nextSeq()).isEqualTo(6);
        assertThat(back.disconnectedAtMillis()).isEqualTo(1_700_000_000_000L);
        QueuedMessage first = back.messages().get(0);
        assertThat(first.stage()).isEqualTo(QueuedMessage.Stage.RELEASING);
        assertThat(first.subscriptionIds()).containsExactly(7);
        assertThat(first.message().properties().userProperties()).containsExactly(new UserProperty("k", "v"),
                new UserProperty("k", "w"));
        assertThat(first.message().properties().correlationData()).containsExactly(9);
        assertThat(first.message().remainingExpirySeconds(System.nanoTime())).isBetween(3590L, 3600L);
        assertThat(back.messages().get(1).shareGroup()).isEqualTo("g");
        assertThat(back.messages().get(1).message().hasExpiry()).isFalse();
    }

    @Test
    void aCursor_andATruncatedRecord() throws IOException {
        assertThat(SessionCodec.cursor(SessionCodec.cursor(3, 9))).containsExactly(3, 9);
        byte[] cut = new byte[]{1, 0, 0, 0, 20, 'c'};
        assertThatThrownBy(() -> SessionCodec.record(cut)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> SessionCodec.cursor(new byte[]{2})).hasMessageContaining("version 2");
    }
}
