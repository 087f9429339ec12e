package io.rampart.server;

import io.rampart.server.cli.AuditCommand;
import io.rampart.server.cli.HashCommand;
import io.rampart.server.cli.PasswdCommand;
import io.rampart.server.cli.TokenCommand;
import io.rampart.server.cli.TraceCommand;
import io.rampart.server.cli.UsersCommand;
import io.rampart.server.config.BrokerConfig;
import io.rampart.server.config.ConfigException;
import io.rampart.server.config.ConfigLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code rampart [--config FILE]}: runs the broker until SIGTERM or SIGINT, then shuts down gracefully.
 * {@code rampart passwd|hash ...}: manage file-realm users; {@code rampart users ...}: SQL-realm users;
 * {@code rampart token ...}: admin API tokens; {@code rampart audit verify FILE}: the audit log's hash chain;
 * {@code rampart trace ...}: trace recordings of a running broker, through its admin API.
 */
@Command(name = "rampart", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Rampart secure MQTT broker. Without a command: run the broker.",
        subcommands = {PasswdCommand.class, HashCommand.class, UsersCommand.class, TokenCommand.class,
                AuditCommand.class, TraceCommand.class})
public final class Main implements Callable<Integer> {

    static final Path DEFAULT_CONFIG = Path.of("config", "broker.yaml");

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Broker configuration (YAML). Default: ${DEFAULT-VALUE}")
    Path config = DEFAULT_CONFIG;

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public Integer call() throws Exception {
        configureLogging(config);
        org.apache.logging.log4j.Logger log = org.apache.logging.log4j.LogManager.getLogger(Main.class);
        BrokerConfig brokerConfig;
        try {
            brokerConfig = ConfigLoader.load(config);
        } catch (ConfigException e) {
            System.err.println("rampart: invalid configuration: " + e.getMessage());
            return 2;
        }
        log.info("Rampart {} starting with configuration {}", Version.version(), config.toAbsolutePath().normalize());
        RampartBroker broker;
        try {
            broker = RampartBroker.start(brokerConfig);
        } catch (Exception e) {
            String invalid = configurationProblem(e);
            if (invalid != null) {
                // A file the configuration names cannot be used: the operator's to fix, like a wrong key (status 2).
                System.err.println("rampart: invalid configuration: " + invalid);
                return 2;
            }
            log.error("startup failed: {}", e.getMessage());
            System.err.println("rampart: startup failed: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runnable stop = () -> {
            broker.close();
            stopped.countDown();
        };
        // Handle SIGTERM/SIGINT ourselves so that a graceful stop exits with status 0.
        boolean handled = SignalSupport.onTermination(() -> {
            stop.run();
            org.apache.logging.log4j.LogManager.shutdown();
            Runtime.getRuntime().halt(0);
        });
        if (!handled) {
            Runtime.getRuntime().addShutdownHook(new Thread(stop, "rampart-shutdown"));
        }
        log.info("Rampart is ready");
        stopped.await();
        return 0;
    }

    /**
     * The message of a configuration error behind a startup failure (TLS material or settings that cannot be used,
     * a broken realm file), or {@code null} when the failure is something else (a port in use, a database down).
     */
    static String configurationProblem(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConfigException || t instanceof io.rampart.security.realm.file.FileRealmException) {
                return t.getMessage();
            }
        }
        return null;
    }

    /** Uses {@code config/log4j2.xml} beside the broker configuration when present and nothing else was chosen. */
    private static void configureLogging(Path brokerConfig) {
        if (System.getProperty("log4j2.configurationFile") != null || System.getProperty("log4j.configurationFile") != null) {
            return;
        }
        Path dir = brokerConfig.toAbsolutePath().getParent();
        if (dir != null) {
            Path candidate = dir.resolve("log4j2.xml");
            if (Files.isRegularFile(candidate)) {
                System.setProperty("log4j2.configurationFile", candidate.toString());
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        static String version() {
            String v = Main.class.getPackage().getImplementationVersion();
            return v == null ? "development" : v;
        }

        @Override
        public String[] getVersion() {
            return new String[]{"Rampart " + version()};
        }
    }
}
