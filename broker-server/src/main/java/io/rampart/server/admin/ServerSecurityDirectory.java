package io.rampart.server.admin;

import io.rampart.admin.broker.SecurityDirectory;
import io.rampart.security.pipeline.SecurityPipeline;
import io.rampart.security.realm.admin.RealmEditor;
import io.rampart.security.realm.file.FileRealm;
import io.rampart.security.realm.sql.SqlRealm;
import io.rampart.security.spi.Realm;
import io.rampart.server.config.BrokerConfig;
import io.rampart.server.config.ListenerConfig;
import io.rampart.server.config.ListenerType;
import io.rampart.server.config.SecurityConfig;
import io.rampart.server.security.SecurityModule;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The security side of this broker for the admin plane: the open realms in configuration order, the editors of the
 * file realms and of the SQL realms on the Rampart schema, and the pipeline of each MQTT listener.
 */
final class ServerSecurityDirectory implements SecurityDirectory {

    private final Map<String, Realm> realms;
    private final Map<String, RealmEditor> editors;
    private final Map<String, SecurityPipeline> listenerPipelines;

    ServerSecurityDirectory(BrokerConfig config, SecurityModule security) {
        Map<String, Realm> ordered = new LinkedHashMap<>();
        Map<String, RealmEditor> editable = new LinkedHashMap<>();
        for (SecurityConfig.Realm r : config.security().realms()) {
            Realm realm = security.realms().get(r.name());
            ordered.put(r.name(), realm);
            if (realm instanceof FileRealm file) {
                editable.put(r.name(), file.editor());
            } else if (realm instanceof SqlRealm sql && sql.settings().queries().isDefault()) {
                editable.put(r.name(), sql.editor());
            }
        }
        Map<String, SecurityPipeline> pipelines = new LinkedHashMap<>();
        for (ListenerConfig listener : config.listeners()) {
            if (listener.type() != ListenerType.ADMIN) {
                pipelines.put(listener.name(), security.pipelineFor(listener));
            }
        }
        this.realms = Collections.unmodifiableMap(ordered);
        this.editors = Collections.unmodifiableMap(editable);
        this.listenerPipelines = Collections.unmodifiableMap(pipelines);
    }

    @Override
    public Map<String, Realm> realms() {
        return realms;
    }

    @Override
    public RealmEditor editor(String realm) {
        return editors.get(realm);
    }

    @Override
    public Map<String, SecurityPipeline> listenerPipelines() {
        return listenerPipelines;
    }
}
