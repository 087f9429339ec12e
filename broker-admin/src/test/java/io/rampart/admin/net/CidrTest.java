package io.rampart.admin.net;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CidrTest {

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void networksContainTheirAddresses_inBothFamilies() throws Exception {
        Cidr v4 = Cidr.parse("10.1.2.3/16");
        assertThat(v4.toString()).isEqualTo("10.1.0.0/16");
        assertThat(v4.contains(ip("10.1.200.9"))).isTrue();
        assertThat(v4.contains(ip("10.2.0.1"))).isFalse();
        assertThat(v4.contains(ip("::ffff:10.1.0.1"))).isTrue();
        assertThat(Cidr.parse("2001:db8::/32").contains(ip("2001:db8:1::5"))).isTrue();
        assertThat(Cidr.parse("2001:db8::/32").contains(ip("10.1.0.1"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains(ip("192.0.2.1"))).isTrue();
        assertThat(Cidr.parse("192.0.2.7").contains(ip("192.0.2.8"))).isFalse();
    }

    @Test
    void namesAndBadPrefixes_areRefused_withoutResolving() {
        assertThatThrownBy(() -> Cidr.parse("localhost")).hasMessageContaining("names are not resolved");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessageContaining("between 0 and 32");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/x")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> Cidr.parse(" ")).hasMessageContaining("must be an IP address");
    }
}
