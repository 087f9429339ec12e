package io.rampart.server.config;

import io.rampart.security.permission.Permission;

import java.nio.file.Path;
import java.util.List;

/**
 * The {@code security:} section: realms, the pipelines that bind authentication and authorization chains
 * to listeners, the access log and the brute-force brake. Absent section = no pipelines, so only
 * listeners that say {@code allow-anonymous: true} accept clients.
 */
public record SecurityConfig(List<Realm> realms, List<Pipeline> pipelines, AccessLog accessLog, BruteForce bruteForce) {

    public static final SecurityConfig NONE = new SecurityConfig(List.of(), List.of(), AccessLog.DEFAULT, BruteForce.DEFAULT);

    public SecurityConfig {
        realms = List.copyOf(realms);
        pipelines = List.copyOf(pipelines);
    }

    /**
     * A realm.
     *
     * @param type     {@code file}, {@code sql}, {@code ldap} or {@code jwt}
     * @param settings the type's own settings record (e.g. {@code FileRealmSettings}), for diagnostics
     * @param opener   opens the realm at startup; throws when it cannot (refuse to start)
     */
    public record Realm(String name, String type, Object settings, Opener opener) {
    }

    /** Opens a configured realm. */
    @FunctionalInterface
    public interface Opener {
        /**
         * @param timers a shared scheduler for short periodic tasks (file watches, cache refresh)
         */
        io.rampart.security.spi.Realm open(java.util.concurrent.ScheduledExecutorService timers) throws Exception;
    }

    /**
     * A pipeline.
     *
     * @param listeners                 listener names, or {@code *} for every listener not bound otherwise
     * @param timeoutSeconds            per manager call; a timeout refuses with "server unavailable"
     * @param disconnectOnPublishDenied MQTT 5 clients get DISCONNECT 0x87 instead of a negative acknowledgement
     * @param disconnectRemovedUsers    close live sessions whose user disappeared from the realm
     */
    public record Pipeline(String name, List<String> listeners, List<Preprocessor> preprocessors,
                           List<Manager> authentication, List<Manager> authorization, int timeoutSeconds,
                           boolean disconnectOnPublishDenied, boolean disconnectRemovedUsers) {
        public Pipeline {
            listeners = List.copyOf(listeners);
            preprocessors = List.copyOf(preprocessors);
            authentication = List.copyOf(authentication);
            authorization = List.copyOf(authorization);
        }
    }

    /**
     * An authentication or authorization manager.
     *
     * @param type        authentication: {@code password} (checks user name and password against a realm),
     *                    {@code anonymous} or {@code custom}; authorization: {@code realm} (users' and roles'
     *                    permissions) or {@code custom}
     * @param permissions the anonymous manager's permissions
     * @param className   custom managers: the class implementing the manager SPI, on the class path
     * @param options     custom managers: string options handed to its constructor
     * @param settings    a settings record of the manager type's own (e.g. the X.509 manager's), or {@code null}
     */
    public record Manager(String type, String name, String realm, List<Permission> permissions, String className,
                          java.util.Map<String, String> options, Object settings) {
        public Manager {
            permissions = permissions == null ? List.of() : List.copyOf(permissions);
            options = options == null ? java.util.Map.of() : java.util.Map.copyOf(options);
        }

        public Manager(String type, String name, String realm, List<Permission> permissions, String className,
                       java.util.Map<String, String> options) {
            this(type, name, realm, permissions, className, options, null);
        }
    }

    /**
     * A preprocessor: {@code copy} (from → to), {@code regex} (named groups of {@code pattern} matched
     * against {@code from} become variables), {@code split} (part {@code index} of {@code from} split at
     * {@code separator} → to), {@code concat} ({@code sources} joined with {@code separator} → to),
     * {@code set} (constant {@code value} → to).
     */
    public record Preprocessor(String type, String from, List<String> sources, String to, String pattern,
                               String separator, int index, String value) {
        public Preprocessor {
            sources = sources == null ? List.of() : List.copyOf(sources);
        }
    }

    /**
     * @param format              {@code plain} (key=value, one line per decision) or {@code json}
     * @param publishAllowed      log allowed PUBLISH decisions at all (default off: one line per message costs
     *                            several times the broker's work per message; denials are always logged)
     * @param publishSampleRate   log one allowed PUBLISH in N (1 = every one)
     */
    public record AccessLog(String format, boolean publishAllowed, int publishSampleRate) {
        public static final AccessLog DEFAULT = new AccessLog("plain", false, 1);
    }

    /**
     * Slows down addresses that keep failing authentication.
     *
     * @param threshold      failures from one address before the brake engages
     * @param initialDelayMs delay of the first slowed attempt; doubles with each further failure
     * @param maxDelayMs     upper bound of the delay
     * @param resetSeconds   failures are forgotten after this long without one
     */
    public record BruteForce(boolean enabled, int threshold, long initialDelayMs, long maxDelayMs, long resetSeconds) {
        public static final BruteForce DEFAULT = new BruteForce(true, 5, 500, 30_000, 600);
    }
}
