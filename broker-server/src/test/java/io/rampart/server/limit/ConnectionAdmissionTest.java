package io.rampart.server.limit;

import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.rampart.security.limits.IdentityLimits;
import io.rampart.server.config.AddressLimits;
import io.rampart.server.events.BrokerEvents;
import io.rampart.server.metrics.BrokerMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionAdmissionTest {

    private final BrokerMetrics metrics = BrokerMetrics.prometheusOnly();
    private final BrokerEvents events = new BrokerEvents(metrics, false);
    private final List<Channel> channels = new ArrayList<>();

    @AfterEach
    void tearDown() {
        channels.forEach(Channel::close);
        metrics.close();
    }

    /** An accepted connection from {@code address}. */
    private Channel from(String address) {
        Channel ch = new EmbeddedChannel() {
            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress(address, 40_000);
            }
        };
        channels.add(ch);
        return ch;
    }

    private double refused(String reason) {
        String line = metrics.scrape().lines()
                .filter(l -> l.startsWith("rampart_connections_refused_total{") && l.contains("reason=\"" + reason + "\""))
                .findFirst().orElseThrow();
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    @Test
    void maxConnections_refusesTheOneBeyond_andAClosedOneFreesItsPlace() {
        ConnectionAdmission admission = new ConnectionAdmission("l", 2, null, null, events);
        Channel a = from("10.0.0.1");

        assertThat(admission.admit(a)).isTrue();
        assertThat(admission.admit(from("10.0.0.2"))).isTrue();
        Channel third = from("10.0.0.3");
        assertThat(admission.admit(third)).isFalse();
        assertThat(third.isOpen()).isFalse();

        a.close();
        assertThat(admission.admit(from("10.0.0.4"))).isTrue();
        assertThat(refused("max-connections")).isEqualTo(1);
    }

    @Test
    void connectionRate_refusesBeyondTheBurst_andCounts() {
        ConnectionAdmission admission = new ConnectionAdmission("l", 0, new IdentityLimits.Rate(0.001, 3), null, events);

        int admitted = 0;
        for (int i = 0; i < 10; i++) {
            if (admission.admit(from("10.0.0." + i))) {
                admitted++;
            }
        }

        assertThat(admitted).isEqualTo(3);
        assertThat(refused("connection-rate")).isEqualTo(7);
    }

    @Test
    void perAddress_countsEachSourceOnItsOwn_andAPrefixCountsANetworkAsOne() {
        ConnectionAdmission each = new ConnectionAdmission("l", 0, null, new AddressLimits(2, null, 32, 64), events);
        assertThat(each.admit(from("127.0.0.2"))).isTrue();
        assertThat(each.admit(from("127.0.0.2"))).isTrue();
        assertThat(each.admit(from("127.0.0.2"))).isFalse();
        assertThat(each.admit(from("127.0.0.3"))).isTrue();
        assertThat(refused("address-max-connections")).isEqualTo(1);

        ConnectionAdmission network = new ConnectionAdmission("l", 0, null, new AddressLimits(2, null, 24, 64), events);
        assertThat(network.admit(from("10.1.2.3"))).isTrue();
        assertThat(network.admit(from("10.1.2.200"))).isTrue();
        assertThat(network.admit(from("10.1.2.77"))).isFalse();
        assertThat(network.admit(from("10.1.3.1"))).isTrue();

        ConnectionAdmission v6 = new ConnectionAdmission("l", 0, null, new AddressLimits(1, null, 32, 64), events);
        assertThat(v6.admit(from("2001:db8:0:1::1"))).isTrue();
        assertThat(v6.admit(from("2001:db8:0:1::2"))).as("same /64").isFalse();
        assertThat(v6.admit(from("2001:db8:0:2::1"))).isTrue();
    }

    @Test
    void perAddressRate_refusesBeyondTheSourcesBurst() {
        ConnectionAdmission admission = new ConnectionAdmission("l", 0, null,
                new AddressLimits(0, new IdentityLimits.Rate(0.001, 2), 32, 64), events);

        assertThat(admission.admit(from("192.0.2.1"))).isTrue();
        assertThat(admission.admit(from("192.0.2.1"))).isTrue();
        assertThat(admission.admit(from("192.0.2.1"))).isFalse();
        assertThat(admission.admit(from("192.0.2.9"))).isTrue();
        assertThat(refused("address-connection-rate")).isEqualTo(1);
    }

    @Test
    void idleSources_leaveTheMap_whenTheirLastConnectionCloses() {
        ConnectionAdmission admission = new ConnectionAdmission("l", 0, null, new AddressLimits(5, null, 32, 64), events);
        Channel a = from("198.51.100.1");
        Channel b = from("198.51.100.2");
        admission.admit(a);
        admission.admit(b);
        assertThat(admission.trackedSources()).isEqualTo(2);

        a.close();
        b.close();

        assertThat(admission.trackedSources()).isZero();
    }

    @Test
    void source_masksTheAddressToItsPrefix() {
        assertThat(ConnectionAdmission.Source.of(new InetSocketAddress("10.1.2.3", 1), new AddressLimits(1, null, 24, 64))
                .toString()).isEqualTo("10.1.2.0/24");
        assertThat(ConnectionAdmission.Source.of(new InetSocketAddress("2001:db8:1:2:3::4", 1),
                new AddressLimits(1, null, 32, 48)).toString()).isEqualTo("2001:db8:1:0:0:0:0:0/48");
        assertThat(ConnectionAdmission.Source.of(new InetSocketAddress("2001:db8::ff", 1),
                new AddressLimits(1, null, 32, 128)).toString()).isEqualTo("2001:db8:0:0:0:0:0:ff/128");
    }
}
