package io.rampart.server.config;

import io.rampart.security.limits.IdentityLimits;
import io.rampart.security.realm.jwt.JwtRealmSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.rampart.server.config.ConfigLoaderTest.failure;
import static io.rampart.server.config.ConfigLoaderTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

class ConfigLimitsTest {

    @Test
    void listener_connectionRatePerAddressAndLimits_areRead() throws Exception {
        ListenerConfig l = parse("""
                listeners:
                  - type: tcp
                    name: devices
                    port: 1883
                    connection-rate: 0.5
                    per-address:
                      max-connections: 3
                      connection-rate: ${ENV:RATE:-2}
                      connection-burst: 5
                      ipv4-prefix-length: 24
                    limits:
                      messages-per-second: 10
                      bytes-per-second: 4KB
                      max-packet-size: 64KB
                      disconnect-after: 30s
                """).listeners().get(0);

        assertThat(l.connectionRate()).isEqualTo(new IdentityLimits.Rate(0.5, 1));
        assertThat(l.perAddress()).isEqualTo(new AddressLimits(3, new IdentityLimits.Rate(2, 5), 24, 64));
        assertThat(l.limits().publish()).isEqualTo(IdentityLimits.Rate.perSecond(10));
        assertThat(l.limits().publishBytes()).isEqualTo(IdentityLimits.Rate.perSecond(4096));
        assertThat(l.limits().maxPacketSize()).isEqualTo(65_536);
        assertThat(l.limits().disconnectAfter()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void listener_withoutLimits_hasNone() throws Exception {
        ListenerConfig l = parse("listeners:\n  - {type: tcp, name: t, port: 1883}\n").listeners().get(0);

        assertThat(l.connectionRate()).isNull();
        assertThat(l.perAddress()).isNull();
        assertThat(l.limits()).isEqualTo(IdentityLimits.NONE);
    }

    @Test
    void listener_impossibleLimits_nameFileKeyAndReason() {
        String head = "listeners:\n  - type: tcp\n    name: t\n    port: 1883\n";
        assertThat(failure(head + "    connection-rate: 0\n").getMessage())
                .isEqualTo("test.yaml: listeners[0].connection-rate: must be above 0 and at most 10^15");
        assertThat(failure(head + "    connection-burst: 5\n").getMessage())
                .isEqualTo("test.yaml: listeners[0].connection-burst: needs connection-rate");
        assertThat(failure(head + "    connection-rate: fast\n").getMessage())
                .isEqualTo("test.yaml: listeners[0].connection-rate: must be a number such as 10 or 0.5 (was \"fast\")");
        assertThat(failure(head + "    per-address:\n      ipv4-prefix-length: 33\n      max-connections: 1\n")
                .getMessage()).isEqualTo("test.yaml: listeners[0].per-address.ipv4-prefix-length: must be between 1"
                + " and 32 (was 33)");
        assertThat(failure(head + "    per-address: {}\n").getMessage()).isEqualTo(
                "test.yaml: listeners[0].per-address.max-connections: per-address needs max-connections or"
                        + " connection-rate");
        assertThat(failure(head + "    limits:\n      messages-per-second: 0\n").getMessage()).isEqualTo(
                "test.yaml: listeners[0].limits.messages-per-second: must be above 0 and at most 10^15 (was 0)");
        assertThat(failure(head + "    limits:\n      messages_per_second: 1\n").getMessage())
                .startsWith("test.yaml: listeners[0].limits.messages_per_second: unknown key (did you mean"
                        + " 'messages-per-second'?)");
        assertThat(failure(head + "    limits:\n      queue-overflow: disconnect\n").getMessage()).isEqualTo(
                "test.yaml: listeners[0].limits.queue-overflow: is set on the listener itself"
                        + " (listeners[].queue-overflow), not in its limits; roles and users set it in their limits");
        assertThat(failure("listeners:\n  - {type: admin, name: a, port: 9090, limits: {messages-per-second: 1}}\n")
                .getMessage()).isEqualTo("test.yaml: listeners[0].limits: is only for MQTT listeners (tcp, websocket,"
                + " tls, secure-websocket)");
    }

    @Test
    void limitFromTheEnvironment_isNotEchoed() {
        assertThat(ConfigLoaderTest.catchConfig(() -> ConfigLoader.parse("""
                listeners:
                  - type: tcp
                    name: t
                    port: 1883
                    limits:
                      messages-per-second: ${ENV:SECRET_RATE}
                """, "test.yaml", java.util.Map.of("SECRET_RATE", "zero")::get)).getMessage())
                .isEqualTo("test.yaml: listeners[0].limits.messages-per-second: must be a number such as 10 or 0.5"
                        + " (value from environment variable SECRET_RATE, not shown)");
    }

    @Test
    void jwtRealm_roleLimits_areRead() throws Exception {
        BrokerConfig config = parse("""
                listeners:
                  - {type: tcp, name: t, port: 1883}
                security:
                  realms:
                    - name: tokens
                      type: jwt
                      secrets: ["0123456789abcdef0123456789abcdef"]
                      roles-claim: roles
                      role-limits:
                        sensors:
                          messages-per-second: 10
                        gateways:
                          messages-per-second: 5000
                          max-queued-messages: 50
                          queue-overflow: drop-newest
                """);

        JwtRealmSettings settings = (JwtRealmSettings) config.security().realms().get(0).settings();
        assertThat(settings.roleLimits()).containsOnlyKeys("sensors", "gateways");
        assertThat(settings.limitsOf(java.util.Set.of("sensors", "gateways")).publish())
                .isEqualTo(IdentityLimits.Rate.perSecond(10));
        assertThat(settings.roleLimits().get("gateways").maxQueuedMessages()).isEqualTo(50);
        assertThat(settings.roleLimits().get("gateways").queueOverflow()).isEqualTo(IdentityLimits.Overflow.DROP_NEWEST);
        assertThat(failure("""
                listeners:
                  - {type: tcp, name: t, port: 1883}
                security:
                  realms:
                    - name: tokens
                      type: jwt
                      secrets: ["0123456789abcdef0123456789abcdef"]
                      roles-claim: roles
                      role-limits:
                        sensors:
                          messages-per-second: -1
                """).getMessage()).startsWith(
                "test.yaml: security.realms[0].role-limits.sensors.messages-per-second: must be a number");
    }
}
