package io.rampart.admin.broker;

import io.rampart.security.pipeline.SecurityPipeline;
import io.rampart.security.realm.admin.RealmEditor;
import io.rampart.security.spi.Realm;

import java.util.Map;

/**
 * The security side of the broker as the admin plane sees it once the realms are open: the realms, the editors of
 * those whose users may be changed here, and the security pipeline of each MQTT listener (what the policy simulator
 * runs). Implemented by the server, which owns them.
 */
public interface SecurityDirectory {

    /** Nothing is open yet. */
    SecurityDirectory NONE = new SecurityDirectory() {
        @Override
        public Map<String, Realm> realms() {
            return Map.of();
        }

        @Override
        public RealmEditor editor(String realm) {
            return null;
        }

        @Override
        public Map<String, SecurityPipeline> listenerPipelines() {
            return Map.of();
        }
    };

    /** The realms by name, in configuration order. */
    Map<String, Realm> realms();

    /** The editor of a file or SQL realm, or {@code null} when the realm's users cannot be changed here. */
    RealmEditor editor(String realm);

    /**
     * The MQTT listeners (admin listeners left out) by name, in configuration order, each with the security pipeline
     * that decides for its clients; a listener without one maps to {@code null}.
     */
    Map<String, SecurityPipeline> listenerPipelines();
}
