package io.rampart.server.metrics;

import io.netty.handler.codec.mqtt.MqttMessageType;
import io.rampart.tls.TlsObserver;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BrokerMetricsTest {

    @Test
    void tlsObserver_countsHandshakesAndRevocationChecksWithTheirTags() {
        try (BrokerMetrics metrics = BrokerMetrics.prometheusOnly()) {
            TlsObserver tls = metrics.tlsObserver();
            tls.handshake("mqtts", "success", "TLSv1.3", "TLS_AES_128_GCM_SHA256");
            tls.handshake("mqtts", "success", "TLSv1.3", "TLS_AES_128_GCM_SHA256");
            tls.handshake("mqtts", "revoked", null, null);
            tls.revocationCheck("ocsp", "good", false);
            tls.revocationCheck("ocsp", "good", true);
            tls.revocationCheck("crl", "revoked", false);

            String scrape = metrics.scrape();
            assertThat(scrape)
                    .contains("rampart_tls_handshakes_total{cipher=\"TLS_AES_128_GCM_SHA256\",listener=\"mqtts\","
                            + "protocol=\"TLSv1.3\",result=\"success\"} 2.0")
                    .contains("rampart_tls_handshakes_total{cipher=\"unknown\",listener=\"mqtts\",protocol=\"unknown\","
                            + "result=\"revoked\"} 1.0")
                    .contains("rampart_tls_revocation_checks_total{cached=\"false\",method=\"ocsp\",result=\"good\"} 1.0")
                    .contains("rampart_tls_revocation_checks_total{cached=\"true\",method=\"ocsp\",result=\"good\"} 1.0")
                    .contains("rampart_tls_revocation_checks_total{cached=\"false\",method=\"crl\",result=\"revoked\"} 1.0");
        }
    }

    @Test
    void packetCounters_areResolvedPerTypeAndQos() {
        try (BrokerMetrics metrics = BrokerMetrics.prometheusOnly()) {
            metrics.packetIn(MqttMessageType.PUBLISH, 2);
            metrics.packetIn(MqttMessageType.PUBLISH, 2);
            metrics.packetOut(MqttMessageType.PUBACK, 0);
            metrics.bytesIn(100);
            String scrape = metrics.scrape();
            assertThat(scrape).contains("rampart_messages_in_total{qos=\"2\",type=\"publish\"} 2.0")
                    .contains("rampart_messages_out_total{qos=\"none\",type=\"puback\"} 1.0")
                    .contains("rampart_bytes_in_bytes_total 100.0");
            assertThat(metrics.messagesReceived()).isEqualTo(2);
        }
    }

    @Test
    void packetCounters_existOnlyForTheTypesOfTheirDirection_andAServerTypeFromAClientIsNotCounted() {
        try (BrokerMetrics metrics = BrokerMetrics.prometheusOnly()) {
            metrics.packetIn(MqttMessageType.CONNACK, 0);
            metrics.packetOut(MqttMessageType.CONNECT, 0);
            String scrape = metrics.scrape();
            assertThat(scrape).doesNotContain("rampart_messages_in_total{qos=\"none\",type=\"connack\"}")
                    .doesNotContain("rampart_messages_out_total{qos=\"none\",type=\"connect\"}")
                    .contains("rampart_messages_in_total{qos=\"none\",type=\"auth\"} 0.0")
                    .contains("rampart_messages_out_total{qos=\"none\",type=\"auth\"} 0.0");
        }
    }

    @Test
    void authDecision_isATimerByManagerRealmAndResult() {
        try (BrokerMetrics metrics = BrokerMetrics.prometheusOnly()) {
            metrics.authDecision("password", "local", "allowed", 2_000_000);
            metrics.authDecision("jwt", null, "bad-credentials", 1_000_000);
            String scrape = metrics.scrape();
            assertThat(scrape)
                    .contains("rampart_auth_decisions_seconds_count{manager=\"password\",realm=\"local\",result=\"allowed\"} 1")
                    .contains("rampart_auth_decisions_seconds_count{manager=\"jwt\",realm=\"none\",result=\"bad-credentials\"} 1");
        }
    }
}
