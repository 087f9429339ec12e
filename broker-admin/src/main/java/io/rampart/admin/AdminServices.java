package io.rampart.admin;

import io.rampart.admin.audit.AuditLog;
import io.rampart.admin.auth.AdminAuthenticator;
import io.rampart.admin.ban.BanList;
import io.rampart.admin.broker.BrokerControl;
import io.rampart.admin.broker.ClientDirectory;
import io.rampart.admin.broker.Insights;
import io.rampart.admin.broker.PasswordChanges;
import io.rampart.admin.broker.RetainedMessages;
import io.rampart.admin.broker.SecurityDirectory;
import io.rampart.admin.config.AdminSettings;
import io.rampart.admin.firstrun.PasswordChangeFlags;
import io.rampart.admin.live.LiveHub;
import io.rampart.admin.token.TokenStore;
import io.rampart.core.MqttLimits;

import java.time.Clock;

/**
 * Everything the API's endpoints work with: the broker behind its narrow interfaces (its security side once the
 * realms are open), and the admin plane's own state (bans, tokens, sessions, audit log) and the live views.
 *
 * @param insights trace recordings, client event histories and detections
 */
public record AdminServices(AdminSettings settings, MqttLimits limits, ClientDirectory clients,
                            RetainedMessages retained, BrokerControl control, BanList bans, TokenStore tokens,
                            AdminAuthenticator authenticator, AuditLog audit, PasswordChangeFlags passwordFlags,
                            PasswordChangesHolder passwords, SecurityHolder security, LiveHub live,
                            Clock clock, Insights insights) {

    /** The realms and pipelines, known only once the realms are open. */
    public static final class SecurityHolder {
        private volatile SecurityDirectory directory = SecurityDirectory.NONE;

        public SecurityDirectory get() {
            return directory;
        }

        public void set(SecurityDirectory value) {
            this.directory = value;
        }
    }

    /** The password changer, known only once the realms are open. */
    public static final class PasswordChangesHolder {
        private volatile PasswordChanges changes = PasswordChanges.NONE;

        public PasswordChanges get() {
            return changes;
        }

        public void set(PasswordChanges value) {
            this.changes = value;
        }
    }
}
