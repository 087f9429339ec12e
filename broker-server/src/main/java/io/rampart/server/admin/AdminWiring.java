package io.rampart.server.admin;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.rampart.admin.AdminPlane;
import io.rampart.admin.ban.Ban;
import io.rampart.admin.broker.RetainedMessages;
import io.rampart.admin.http.AdminTls;
import io.rampart.admin.live.LiveFeed;
import io.rampart.core.BrokerCore;
import io.rampart.core.message.Message;
import io.rampart.core.message.MessageProperties;
import io.rampart.security.realm.file.FileRealmSettings;
import io.rampart.server.config.BrokerConfig;
import io.rampart.server.config.ListenerConfig;
import io.rampart.server.config.ListenerType;
import io.rampart.server.config.SecurityConfig;
import io.rampart.server.events.BrokerEvents;
import io.rampart.server.gate.ConnectGate;
import io.rampart.server.insights.BrokerInsights;
import io.rampart.server.metrics.BrokerMetrics;
import io.rampart.server.security.SecurityModule;
import io.rampart.tls.ClientCertificates;
import io.rampart.tls.ServerTls;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Wires the admin plane ({@code broker-admin}) into the broker: hands it narrow views of the core (sessions,
 * retained messages), the configuration, metrics and, once the realms are open, the admin listeners' security
 * pipelines and the brute-force brake; puts its ban check in front of every MQTT listener's connection gate.
 */
public final class AdminWiring implements AutoCloseable {

    private static final Logger LOG = LogManager.getLogger(AdminWiring.class);
    /** The author of the bans detections set, in the ban list and the audit log. */
    static final String DETECTIONS = "detections";

    private final BrokerConfig config;
    private final AdminPlane plane;
    private final ServerControl control;
    /** The cluster-wide client list, on a node of a cluster; {@code null} on a single broker. */
    private final ClusterClientDirectory clusterClients;

    private AdminWiring(BrokerConfig config, AdminPlane plane, ServerControl control,
                        ClusterClientDirectory clusterClients) {
        this.config = config;
        this.plane = plane;
        this.control = control;
        this.clusterClients = clusterClients;
    }

    /**
     * @param readiness   why the broker is not ready (health endpoint)
     * @param connections open MQTT connections
     * @param bound       where a listener is bound now, by name ({@code null} while it is not)
     * @param cluster     the cluster as this node sees it ({@code enabled: false} for a single broker)
     * @throws IOException when the admin state in the data directory cannot be read
     */
    public static AdminWiring create(BrokerConfig config, BrokerCore core, BrokerMetrics metrics,
                                     BrokerInsights insights, ScheduledExecutorService timers,
                                     Supplier<List<String>> readiness, IntSupplier connections,
                                     Function<String, InetSocketAddress> bound, String version,
                                     Supplier<Map<String, Object>> cluster) throws IOException {
        ServerControl control = new ServerControl(config, core, metrics, readiness, connections, bound, version,
                cluster);
        SessionClientDirectory sessions = new SessionClientDirectory(core);
        ClusterClientDirectory clusterClients = config.cluster().enabled() ? new ClusterClientDirectory(sessions) : null;
        AdminPlane plane = AdminPlane.create(config.admin(), config.dataDir(), core.limits(),
                clusterClients == null ? sessions : clusterClients, retained(core), control, insights.insights(), timers,
                Clock.systemUTC());
        insights.useBans((kind, value, reason, duration) -> {
            try {
                return plane.banAutomatically(Ban.Kind.byId(kind), value, reason, duration, DETECTIONS).id();
            } catch (IOException | RuntimeException e) {
                LOG.warn("a detection could not ban {} '{}': {}", kind, value, e.getMessage());
                return null;
            }
        });
        return new AdminWiring(config, plane, control, clusterClients);
    }

    /** The channel initializer of an admin listener; {@code tls} {@code null} for plain HTTP. */
    public ChannelInitializer<SocketChannel> initializer(ListenerConfig listener, ServerTls tls) {
        if (tls == null && listener.allowPlaintext()) {
            LOG.warn("admin listener '{}' serves PLAIN HTTP on {} (allow-plaintext: true): credentials and session"
                    + " cookies cross the network unencrypted; give it a tls: block", listener.name(), listener.bind());
        }
        return plane.channelInitializer(listener.name(), tls == null ? null : new ServerAdminTls(tls));
    }

    /** Where the broker reports client changes for the Control Center's live views. */
    public LiveFeed liveFeed() {
        return plane.liveFeed();
    }

    /** {@code gate} behind the ban check. */
    public ConnectGate gate(ConnectGate gate) {
        return new BanGate(gate, plane.bans());
    }

    /**
     * On a node of a cluster: bans, API tokens and admin browser sessions become the cluster's, and the client list
     * shows the clients of every node (this node's connects and disconnects, seen through {@code events}, go into it).
     *
     * @throws IOException when this node's state files cannot be written
     */
    public void share(io.rampart.core.cluster.SharedState state, BrokerEvents events) throws IOException {
        plane.share(state);
        if (clusterClients != null) {
            clusterClients.bind(state);
            events.addObserver(clusterClients);
        }
    }

    /** First start: creates the initial admin user when configured (before the realms open). */
    public void beforeRealms(PrintStream console) throws IOException {
        if (config.admin().initialAdmin() == null) {
            return;
        }
        String realm = config.admin().initialAdmin().realm();
        for (SecurityConfig.Realm r : config.security().realms()) {
            if (r.name().equals(realm) && r.settings() instanceof FileRealmSettings file) {
                plane.ensureInitialAdmin(file.file(), console);
            }
        }
    }

    /** The realms are open: the admin API starts answering. */
    public void attach(SecurityModule security, List<ServerTls> tlsListeners) {
        List<ListenerConfig> admins = config.listeners().stream().filter(l -> l.type() == ListenerType.ADMIN).toList();
        control.attach(security.realms(), tlsListeners);
        security.accessLog().feed(plane.liveFeed());
        plane.attachSecurity(security.adminPipelines(admins), new BrakeThrottle(security.brake()),
                new FileRealmPasswords(security.realms()), new ServerSecurityDirectory(config, security));
    }

    @Override
    public void close() {
        if (clusterClients != null) {
            clusterClients.close();
        }
        plane.close();
    }

    private static RetainedMessages retained(BrokerCore core) {
        return new RetainedMessages() {
            @Override
            public void match(String filter, Consumer<Message> visitor) {
                core.retained().match(filter, visitor);
            }

            @Override
            public Message get(String topic) {
                return core.retained().get(topic);
            }

            @Override
            public boolean delete(String topic) {
                Message existing = core.retained().get(topic);
                if (existing == null) {
                    return false;
                }
                core.retained().put(Message.of(topic, 0, true, new byte[0], MessageProperties.NONE, null, 0));
                return true;
            }
        };
    }

    /** The TLS of an admin listener: the same handlers as MQTT listeners. */
    private static final class ServerAdminTls implements AdminTls {
        private final ServerTls tls;

        ServerAdminTls(ServerTls tls) {
            this.tls = tls;
        }

        @Override
        public List<ChannelHandler> newHandlers(Channel channel) {
            return List.of(tls.newHandler(channel.alloc()), tls.newOutcomeHandler((ch, failure) ->
                    LOG.debug("admin listener '{}': TLS handshake with {} failed: {}", tls.listener(),
                            ch.remoteAddress(), failure.reason())));
        }

        @Override
        public Map<String, String> variables(Channel channel) {
            Map<String, String> vars = channel.attr(ClientCertificates.VARIABLES).get();
            return vars == null ? Map.of() : vars;
        }
    }
}
