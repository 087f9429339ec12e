package io.rampart.tls;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TlsSettingsTest {

    private static final TlsSettings.KeyMaterial KEY = TlsSettings.KeyMaterial.pem(Path.of("cert.pem"), Path.of("key.pem"), null);
    private static final TlsSettings.TrustMaterial TRUST = new TlsSettings.TrustMaterial(Path.of("ca.pem"), null, null);
    private static final RevocationSettings CRL = new RevocationSettings(RevocationSettings.Mode.CRL,
            List.of(Path.of("ca.crl")), false, null, null, false, null, null, 0, false);

    private static TlsSettings settings(TlsSettings.Provider provider, RevocationSettings revocation, boolean tickets,
                                        Duration lifetime) {
        return new TlsSettings(provider, null, null, null, true, null, TlsSettings.ClientAuthMode.REQUIRED, KEY, TRUST,
                null, revocation, null, false, tickets, lifetime);
    }

    @Test
    void sessionLifetime_defaultsToFiveMinutesWithRevocation_andAnHourWithout() {
        assertThat(settings(null, CRL, true, null).sessionLifetime()).isEqualTo(Duration.ofMinutes(5));
        assertThat(settings(null, null, true, null).sessionLifetime()).isEqualTo(Duration.ofHours(1));
        assertThat(settings(null, CRL, true, Duration.ofSeconds(42)).sessionLifetime()).isEqualTo(Duration.ofSeconds(42));
    }

    @Test
    void sessionLifetime_outsideOneSecondToSevenDays_isRefused() {
        assertThatThrownBy(() -> settings(null, null, true, Duration.ZERO))
                .hasMessageStartingWith("session-lifetime: must be between 1 s and 7 days");
        assertThatThrownBy(() -> settings(null, null, true, Duration.ofDays(8)))
                .hasMessageStartingWith("session-lifetime: must be between 1 s and 7 days");
    }

    @Test
    void sessionTicketsOff_needsTheOpenSslProvider() {
        assertThatThrownBy(() -> settings(TlsSettings.Provider.JDK, null, false, null))
                .hasMessageStartingWith("session-tickets: false needs the openssl provider");
        assertThat(settings(TlsSettings.Provider.OPENSSL, null, false, null).sessionTickets()).isFalse();
    }
}
