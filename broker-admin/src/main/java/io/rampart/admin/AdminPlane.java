package io.rampart.admin;

import io.rampart.admin.api.ApiJson;
import io.rampart.admin.api.ApiRouter;
import io.rampart.admin.api.ApiRoutes;
import io.rampart.admin.audit.AuditEvent;
import io.rampart.admin.audit.AuditLog;
import io.rampart.admin.auth.AdminAuthenticator;
import io.rampart.admin.auth.AdminSessions;
import io.rampart.admin.auth.LoginThrottle;
import io.rampart.admin.ban.Ban;
import io.rampart.admin.ban.BanEnforcement;
import io.rampart.admin.ban.BanList;
import io.rampart.admin.broker.BrokerControl;
import io.rampart.admin.broker.ClientDirectory;
import io.rampart.admin.broker.Insights;
import io.rampart.admin.broker.PasswordChanges;
import io.rampart.admin.broker.RetainedMessages;
import io.rampart.admin.broker.SecurityDirectory;
import io.rampart.admin.config.AdminSettings;
import io.rampart.admin.firstrun.InitialAdmin;
import io.rampart.admin.firstrun.PasswordChangeFlags;
import io.rampart.admin.http.AddressLimiter;
import io.rampart.admin.http.AdminChannelInitializer;
import io.rampart.admin.http.AdminTls;
import io.rampart.admin.http.Dispatcher;
import io.rampart.admin.http.HttpAnswer;
import io.rampart.admin.http.HttpCall;
import io.rampart.admin.http.Json;
import io.rampart.admin.http.Problem;
import io.rampart.admin.live.LiveFeed;
import io.rampart.admin.live.LiveHub;
import io.rampart.admin.token.TokenStore;
import io.rampart.admin.web.StaticAssets;
import io.rampart.core.MqttLimits;
import io.rampart.security.pipeline.SecurityPipeline;
import io.rampart.security.spi.AdminPermissionSource;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The admin plane of one broker: the HTTP API of the admin listeners ({@code /api/v1/...}) beside
 * {@code /metrics} and {@code /health/*}, its authentication and RBAC, API tokens, bans, browser sessions and the
 * audit log. The server builds it before the realms open (health answers during startup) and attaches the
 * security side once they have: until then the API answers 503.
 *
 * <p>State lives in {@code <data-dir>/admin/}: {@code tokens.json}, {@code bans.json}, {@code state.json}.
 */
public final class AdminPlane implements AutoCloseable {

    private static final Logger LOG = LogManager.getLogger(AdminPlane.class);
    private static final int WORKERS = 2;
    private static final int WORK_QUEUE = 1000;
    private static final long POLL_SECONDS = 2;
    private static final long FLUSH_SECONDS = 60;
    static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final AdminSettings settings;
    private final BrokerControl control;
    private final AdminServices services;
    private final ApiRouter router;
    private final ThreadPoolExecutor worker;
    private final AddressLimiter limiter;
    private final DelegatingThrottle throttle;
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    private final ListenerPipelines pipelines;
    private final StaticAssets assets = new StaticAssets();
    private volatile boolean securityAttached;

    private AdminPlane(AdminSettings settings, BrokerControl control, AdminServices services, ApiRouter router,
                       ThreadPoolExecutor worker, DelegatingThrottle throttle, ListenerPipelines pipelines) {
        this.settings = settings;
        this.throttle = throttle;
        this.pipelines = pipelines;
        this.control = control;
        this.services = services;
        this.router = router;
        this.worker = worker;
        this.limiter = new AddressLimiter(settings.limits().maxConcurrentPerAddress());
    }

    /**
     * Reads the admin state from the data directory and builds the API.
     *
     * @throws IOException when a state file is unreadable or invalid (the broker must not start)
     */
    public static AdminPlane create(AdminSettings settings, Path dataDir, MqttLimits limits, ClientDirectory clients,
                                    RetainedMessages retained, BrokerControl control, Insights insights,
                                    ScheduledExecutorService timer, Clock clock) throws IOException {
        Path dir = dataDir.resolve("admin");
        TokenStore tokens = new TokenStore(dir.resolve("tokens.json"), clock).load();
        BanList bans = new BanList(dir.resolve("bans.json"), clock).load();
        PasswordChangeFlags flags = new PasswordChangeFlags(dir.resolve("state.json")).load();
        AuditLog audit = AuditLog.open(settings.auditJson());
        AdminSessions sessions = new AdminSessions(settings.sessions(), clock);
        ThreadPoolExecutor worker = new ThreadPoolExecutor(WORKERS, WORKERS, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(WORK_QUEUE), daemonThreads("rampart-admin-worker"));
        worker.allowCoreThreadTimeOut(true);
        ListenerPipelines pipelines = new ListenerPipelines();
        DelegatingThrottle throttle = new DelegatingThrottle();
        AdminServices.SecurityHolder security = new AdminServices.SecurityHolder();
        AdminAuthenticator authenticator = new AdminAuthenticator(settings.roles(), tokens, sessions, throttle, timer,
                realm -> security.get().realms().get(realm) instanceof AdminPermissionSource source ? source : null);
        LiveHub live = new LiveHub(() -> liveSample(control, clock), timer, clock);
        AdminServices services = new AdminServices(settings, limits, clients, retained, control, bans, tokens,
                authenticator, audit, flags, new AdminServices.PasswordChangesHolder(), security, live, clock,
                insights);
        ApiRouter router = new ApiRouter(ApiRoutes.all(services, pipelines), authenticator, audit,
                settings.allowedOrigins(), pipelines, worker, clock,
                p -> p.realm() != null && flags.mustChange(p.realm(), p.name()));
        AdminPlane plane = new AdminPlane(settings, control, services, router, worker, throttle, pipelines);
        plane.tasks.add(timer.scheduleWithFixedDelay(plane::poll, POLL_SECONDS, POLL_SECONDS, TimeUnit.SECONDS));
        plane.tasks.add(timer.scheduleWithFixedDelay(tokens::flushLastUsed, FLUSH_SECONDS, FLUSH_SECONDS, TimeUnit.SECONDS));
        plane.tasks.add(timer.scheduleWithFixedDelay(sessions::purgeExpired, FLUSH_SECONDS, FLUSH_SECONDS, TimeUnit.SECONDS));
        return plane;
    }

    /**
     * First start: creates the initial admin user in its file realm when configured and the file has no users
     * (prints its password on {@code console}). Call before the realms open.
     */
    public void ensureInitialAdmin(Path usersFile, PrintStream console) throws IOException {
        if (settings.initialAdmin() != null) {
            InitialAdmin.ensure(settings.initialAdmin(), usersFile, services.passwordFlags(), console);
        }
    }

    /**
     * The realms are open: the admin listeners' security pipelines (by listener name), the login brake, the
     * password changer and the rest of the security side (realms, their editors, the MQTT listeners' pipelines). From
     * now on the API answers.
     */
    public void attachSecurity(Map<String, SecurityPipeline> pipelinesByListener, LoginThrottle loginThrottle,
                               PasswordChanges passwordChanges, SecurityDirectory directory) {
        this.pipelines.byListener = Map.copyOf(pipelinesByListener);
        this.throttle.delegate = loginThrottle;
        services.passwords().set(passwordChanges);
        services.security().set(directory);
        this.securityAttached = true;
    }

    /** The channel initializer of an admin listener ({@code tls} {@code null}: plain HTTP). */
    public AdminChannelInitializer channelInitializer(String listener, AdminTls tls) {
        return new AdminChannelInitializer(listener, settings.limits(), tls, new PlaneDispatcher(), limiter, worker);
    }

    /** Where the broker reports security decisions and client changes for the Control Center's live views. */
    public LiveFeed liveFeed() {
        return services.live();
    }

    /** The overview's sample: the metrics summary, the time it was taken and the broker's health. */
    private static String liveSample(BrokerControl control, Clock clock) {
        Map<String, Object> sample = new LinkedHashMap<>();
        sample.put("time", clock.instant().toString());
        sample.putAll(control.metricsSummary());
        List<String> problems = control.readinessProblems();
        sample.put("health", Map.of("status", problems.isEmpty() ? "UP" : "DOWN", "reasons", problems));
        return ApiJson.text(sample);
    }

    /** The bans, consulted at CONNECT. */
    public BanList bans() {
        return services.bans();
    }

    /**
     * A ban the broker sets by itself (a detection rule): added to the ban list for {@code duration}, the live
     * sessions it hits disconnected, and recorded in the audit log with {@code actor} as its author.
     *
     * @throws IOException when the ban cannot be stored
     */
    public Ban banAutomatically(Ban.Kind kind, String value, String reason, Duration duration, String actor)
            throws IOException {
        Instant now = services.clock().instant();
        Ban ban = services.bans().add(kind, value, reason, now.plus(duration).truncatedTo(ChronoUnit.SECONDS), actor);
        int disconnected = BanEnforcement.disconnectHit(ban, services.clients());
        Map<String, Object> after = new LinkedHashMap<>();
        after.put("id", ban.id());
        after.put("kind", ban.kind().id());
        after.put("value", ban.value());
        after.put("reason", ban.reason());
        after.put("expiresAt", ban.expiresAt().toString());
        services.audit().record(new AuditEvent(now, actor, "-", null, "-", "bans.create", "ban:" + ban.id(), "success",
                201, "-", ban.describe() + "; " + disconnected + " live session(s) disconnected", null,
                ApiJson.text(after)));
        return ban;
    }

    /**
     * On a node of a cluster: the bans, API tokens and browser sessions become the cluster's (see
     * {@link BanList#share}, {@link io.rampart.admin.token.TokenStore#share} and
     * {@link io.rampart.admin.auth.AdminSessions#share}); a ban another node sets disconnects the sessions it hits here.
     *
     * @throws IOException when this node's state files cannot be written
     */
    public void share(io.rampart.core.cluster.SharedState state) throws IOException {
        services.bans().share(state.table("bans"), ban -> worker.execute(() -> {
            int n = BanEnforcement.disconnectHit(ban, services.clients());
            if (n > 0) {
                LOG.info("ban {} set on another node of the cluster: {} live session(s) disconnected here", ban.id(),
                        n);
            }
        }));
        services.tokens().share(state.table("tokens"));
        services.authenticator().sessions().share(state.table("admin-sessions"), worker);
    }

    private void poll() {
        services.tokens().reloadIfChanged();
        try {
            services.bans().reloadIfChanged();
        } catch (IOException e) {
            LOG.error("bans not reloaded, the previous ones stay in force: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        tasks.forEach(t -> t.cancel(false));
        services.live().close();
        services.tokens().flushLastUsed();
        worker.shutdownNow();
    }

    /** Routes the admin listeners' requests. */
    private final class PlaneDispatcher implements Dispatcher {

        @Override
        public HttpAnswer immediate(HttpCall call) {
            String path = rawPath(call.uri());
            if (!path.equals("/health/live") && !path.equals("/health/ready")) {
                return null;
            }
            if (!call.method().equals("GET") && !call.method().equals("HEAD")) {
                return Problem.of(405, "only GET is allowed here", call.requestId()).with("Allow", "GET, HEAD");
            }
            if (path.equals("/health/live")) {
                return HttpAnswer.of(200, HttpAnswer.JSON, "{\"status\":\"UP\"}\n");
            }
            List<String> problems = control.readinessProblems();
            if (problems.isEmpty()) {
                return HttpAnswer.of(200, HttpAnswer.JSON, "{\"status\":\"UP\"}\n");
            }
            StringBuilder reasons = new StringBuilder("[");
            for (int i = 0; i < problems.size(); i++) {
                reasons.append(i == 0 ? "" : ",").append(Json.quote(problems.get(i)));
            }
            return HttpAnswer.of(503, HttpAnswer.JSON, "{\"status\":\"DOWN\",\"reasons\":" + reasons + "]}\n");
        }

        @Override
        public CompletionStage<HttpAnswer> dispatch(HttpCall call) {
            String uri = call.uri();
            String path = rawPath(uri);
            String query = uri.length() > path.length() + 1 ? uri.substring(path.length() + 1) : null;
            if (path.equals("/metrics")) {
                return metrics(call, path, query);
            }
            if (path.startsWith("/loggers/")) {
                return done(HttpAnswer.empty(308).with("Location", ApiRouter.PREFIX + path));
            }
            if (path.equals(ApiRouter.PREFIX) || path.startsWith(ApiRouter.PREFIX + "/")) {
                if (!securityAttached) {
                    return done(Problem.of(503, "the broker is starting; try again shortly", call.requestId())
                            .with("Retry-After", "1"));
                }
                return router.handle(call, path, query);
            }
            if (StaticAssets.handles(path)) {
                return done(assets.answer(call, path));
            }
            return done(Problem.of(404, "no such endpoint: " + path, call.requestId()));
        }

        private CompletionStage<HttpAnswer> metrics(HttpCall call, String path, String query) {
            if (!call.method().equals("GET") && !call.method().equals("HEAD")) {
                return done(Problem.of(405, "only GET is allowed here", call.requestId()).with("Allow", "GET, HEAD"));
            }
            if (openMetrics(call.remote())) {
                return done(new HttpAnswer(200, METRICS_CONTENT_TYPE,
                        control.prometheusScrape().getBytes(StandardCharsets.UTF_8), List.of()));
            }
            if (!securityAttached) {
                return done(Problem.of(503, "the broker is starting; try again shortly", call.requestId()));
            }
            return router.handle(call, path, query);
        }

        private boolean openMetrics(InetSocketAddress remote) {
            return switch (settings.metricsAccess()) {
                case ANYONE -> true;
                case NOBODY -> false;
                case LOOPBACK -> remote != null && isLoopback(remote.getAddress());
            };
        }
    }

    static boolean isLoopback(InetAddress address) {
        return address != null && address.isLoopbackAddress();
    }

    private static String rawPath(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    private static CompletionStage<HttpAnswer> done(HttpAnswer a) {
        return CompletableFuture.completedFuture(a);
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The admin listeners' security pipelines, known only once the realms are open. */
    private static final class ListenerPipelines implements java.util.function.Function<String, SecurityPipeline> {
        volatile Map<String, SecurityPipeline> byListener = Map.of();

        @Override
        public SecurityPipeline apply(String listener) {
            return byListener.get(listener);
        }
    }

    /** The login brake, known only once the realms are open. */
    private static final class DelegatingThrottle implements LoginThrottle {
        volatile LoginThrottle delegate = LoginThrottle.NONE;

        @Override
        public long delayMillis(InetAddress address, String user) {
            return delegate.delayMillis(address, user);
        }

        @Override
        public void failure(InetAddress address, String user) {
            delegate.failure(address, user);
        }

        @Override
        public void success(InetAddress address, String user) {
            delegate.success(address, user);
        }
    }
}
