package io.rampart.server.security;

import io.rampart.security.pipeline.SecurityPipeline;
import io.rampart.security.spi.AuthenticationManager;
import io.rampart.security.spi.AuthorizationManager;
import io.rampart.security.spi.Preprocessor;
import io.rampart.security.spi.Realm;
import io.rampart.server.config.BrokerConfig;
import io.rampart.server.config.ListenerConfig;
import io.rampart.server.config.SecurityConfig;
import io.rampart.server.gate.AnonymousListenerGate;
import io.rampart.server.gate.ConnectGate;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Builds the security side of the broker from the configuration: realms, one {@link SecurityPipeline}
 * and {@link PipelineGate} per pipeline, the access log and the brute-force brake; and tells each
 * listener which gate guards it. Authentication work runs on a bounded pool ({@code rampart-auth}), never
 * on an event loop; when its queue is full, CONNECTs are refused as "server unavailable".
 */
public final class SecurityModule implements AutoCloseable {

    private static final Logger LOG = LogManager.getLogger(SecurityModule.class);
    private static final int AUTH_QUEUE = 10_000;

    private final SecurityConfig config;
    private final AccessLog accessLog;
    private final ThreadPoolExecutor authExecutor;
    private final Map<String, Realm> realms = new HashMap<>();
    private final Map<String, PipelineGate> gatesByPipeline = new HashMap<>();
    private final Map<String, SecurityPipeline> securityPipelines = new HashMap<>();
    private BruteForceBrake brake;
    private final List<SecurityConfig.Pipeline> pipelines;

    private SecurityModule(SecurityConfig config) {
        this.config = config;
        this.pipelines = config.pipelines();
        this.accessLog = new AccessLog(config.accessLog().format().equals("json"), config.accessLog().publishAllowed(),
                config.accessLog().publishSampleRate());
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        this.authExecutor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(AUTH_QUEUE), new DefaultThreadFactory("rampart-auth", true));
        this.authExecutor.allowCoreThreadTimeOut(true);
    }

    /** Opens the realms (a broken realm file refuses to start) and builds the pipelines. */
    public static SecurityModule create(BrokerConfig broker, ScheduledExecutorService timers) throws Exception {
        SecurityConfig config = broker.security();
        SecurityModule module = new SecurityModule(config);
        try {
            for (SecurityConfig.Realm realm : config.realms()) {
                module.realms.put(realm.name(), openRealm(realm, timers));
            }
            SecurityConfig.BruteForce bf = config.bruteForce();
            BruteForceBrake brake = new BruteForceBrake(bf.enabled(), bf.threshold(), bf.initialDelayMs(),
                    bf.maxDelayMs(), bf.resetSeconds());
            module.brake = brake;
            for (SecurityConfig.Pipeline p : config.pipelines()) {
                module.gatesByPipeline.put(p.name(), module.buildGate(p, brake, timers));
            }
        } catch (Exception e) {
            module.close();
            throw e;
        }
        return module;
    }

    private static Realm openRealm(SecurityConfig.Realm realm, ScheduledExecutorService timers) throws Exception {
        return realm.opener().open(timers);
    }

    private PipelineGate buildGate(SecurityConfig.Pipeline p, BruteForceBrake brake, ScheduledExecutorService timers)
            throws ReflectiveOperationException {
        List<Preprocessor> preprocessors = new ArrayList<>();
        for (SecurityConfig.Preprocessor pre : p.preprocessors()) {
            preprocessors.add(Preprocessors.of(pre));
        }
        List<AuthenticationManager> authn = new ArrayList<>();
        for (SecurityConfig.Manager m : p.authentication()) {
            if (m.type().equals("anonymous")) {
                LOG.warn("pipeline '{}' lets anonymous clients in (manager '{}', {} permission rule(s))",
                        p.name(), m.name(), m.permissions().size());
                authn.add(new AnonymousAuthenticator(m.name(), m.permissions()));
            } else if (m.type().equals("custom")) {
                authn.add(CustomManagers.instantiate(m, AuthenticationManager.class));
            } else if (m.type().equals("x509")) {
                authn.add(X509Managers.create(m, realms));
            } else {
                authn.add(realms.get(m.realm()).authenticator(m.name()));
            }
        }
        List<AuthorizationManager> authz = new ArrayList<>();
        for (SecurityConfig.Manager m : p.authorization()) {
            authz.add(m.type().equals("custom") ? CustomManagers.instantiate(m, AuthorizationManager.class)
                    : realms.get(m.realm()).authorizer(m.name()));
        }
        SecurityPipeline pipeline = new SecurityPipeline(p.name(), preprocessors, authn, authz, authExecutor,
                Duration.ofSeconds(p.timeoutSeconds()));
        securityPipelines.put(p.name(), pipeline);
        return new PipelineGate(pipeline, p.disconnectOnPublishDenied(), p.disconnectRemovedUsers(), brake, timers);
    }

    public AccessLog accessLog() {
        return accessLog;
    }

    /**
     * The gate of a listener: its pipeline (by name, else the {@code *} pipeline), or for listeners no
     * pipeline binds, the anonymous gate that admits clients only with {@code allow-anonymous: true}.
     */
    public ConnectGate gateFor(ListenerConfig listener) {
        SecurityConfig.Pipeline bound = boundPipeline(listener);
        if (bound != null) {
            return gatesByPipeline.get(bound.name());
        }
        if (listener.allowAnonymous()) {
            LOG.warn("listener '{}' allows ANONYMOUS clients with UNRESTRICTED access (allow-anonymous: true);"
                    + " configure a security pipeline before exposing it", listener.name());
        }
        return new AnonymousListenerGate(listener.allowAnonymous());
    }

    /**
     * The security pipeline that decides for the clients of an MQTT listener (the one {@link #gateFor} runs), or
     * {@code null} when the listener has none.
     */
    public SecurityPipeline pipelineFor(ListenerConfig listener) {
        SecurityConfig.Pipeline bound = boundPipeline(listener);
        return bound == null ? null : securityPipelines.get(bound.name());
    }

    /** The pipeline naming the listener, else the {@code *} pipeline unless the listener allows anonymous clients. */
    private SecurityConfig.Pipeline boundPipeline(ListenerConfig listener) {
        SecurityConfig.Pipeline wildcard = null;
        for (SecurityConfig.Pipeline p : pipelines) {
            if (p.listeners().contains(listener.name())) {
                return p;
            }
            if (p.listeners().contains("*")) {
                wildcard = p;
            }
        }
        return wildcard != null && !listener.allowAnonymous() ? wildcard : null;
    }

    /** The opened realms by name (readiness, admin API). */
    public Map<String, Realm> realms() {
        return java.util.Collections.unmodifiableMap(realms);
    }

    /** The security pipelines bound to admin listeners, by listener name (admin API authentication). */
    public Map<String, SecurityPipeline> adminPipelines(List<ListenerConfig> adminListeners) {
        Map<String, SecurityPipeline> out = new HashMap<>();
        for (ListenerConfig listener : adminListeners) {
            for (SecurityConfig.Pipeline p : pipelines) {
                if (p.listeners().contains(listener.name())) {
                    out.put(listener.name(), securityPipelines.get(p.name()));
                }
            }
        }
        return out;
    }

    /** The brute-force brake shared by every pipeline (the admin API's login brake uses it too). */
    public BruteForceBrake brake() {
        return brake;
    }

    /** The pipeline gate by pipeline name (tests and the admin API). */
    PipelineGate gate(String pipeline) {
        return gatesByPipeline.get(pipeline);
    }

    @Override
    public void close() {
        for (Realm realm : realms.values()) {
            realm.close();
        }
        authExecutor.shutdownNow();
    }
}
