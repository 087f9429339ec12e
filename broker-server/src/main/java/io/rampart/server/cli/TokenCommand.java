package io.rampart.server.cli;

import io.rampart.admin.config.Durations;
import io.rampart.admin.net.Cidr;
import io.rampart.admin.token.ApiToken;
import io.rampart.admin.token.TokenStore;
import io.rampart.server.cli.HashCommand.CliError;
import io.rampart.server.config.BrokerConfig;
import io.rampart.server.config.ConfigException;
import io.rampart.server.config.ConfigLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code rampart token create|list|revoke}: API tokens of the admin plane, in the data directory of the broker
 * configuration ({@code <data-dir>/admin/tokens.json}). A running broker picks changes up within seconds.
 */
@Command(name = "token", exitCodeOnInvalidInput = 1,
        description = {"Manages the admin API's tokens in the data directory (see docs/ADMIN-API.md).",
                "Example:  rampart token create --role viewer --expires 30d --description grafana"},
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
public final class TokenCommand implements Runnable {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT,
            description = "Broker configuration (its data-dir and admin.roles). Default: ${DEFAULT-VALUE}")
    Path config = Path.of("config", "broker.yaml");

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    public TokenCommand() {
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    BrokerConfig broker() throws CliError {
        try {
            return ConfigLoader.load(config);
        } catch (ConfigException e) {
            throw new CliError("invalid configuration: " + e.getMessage());
        }
    }

    static TokenStore store(BrokerConfig broker) throws CliError {
        try {
            return new TokenStore(broker.dataDir().resolve("admin").resolve("tokens.json"), Clock.systemUTC()).load();
        } catch (IOException e) {
            throw new CliError(e.getMessage());
        }
    }

    static int fail(CommandSpec sub, String message) {
        sub.commandLine().getErr().println("rampart token " + sub.name() + ": " + message);
        sub.commandLine().getErr().flush();
        return 1;
    }

    /** {@code rampart token create --role R [--role R2] [--expires 30d] [--source CIDR] [--description TEXT]}. */
    @Command(name = "create", description = "Creates a token and prints it once (only its hash is stored).")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        TokenCommand parent;

        @Spec
        CommandSpec spec;

        @Option(names = "--role", required = true, paramLabel = "ROLE",
                description = "A role of admin.roles or a built-in template (viewer, operator, security-admin,"
                        + " super-admin); repeat for more.")
        List<String> roles;

        @Option(names = "--expires", paramLabel = "DURATION", defaultValue = "90d",
                description = "Lifetime, e.g. 12h, 30d (at most admin.max-token-lifetime). Default: ${DEFAULT-VALUE}")
        String expires;

        @Option(names = "--source", paramLabel = "CIDR",
                description = "Accept the token only from this address or network, e.g. 10.1.0.0/16.")
        String source;

        @Option(names = "--description", paramLabel = "TEXT", description = "What the token is for.")
        String description;

        @Override
        public Integer call() {
            try {
                BrokerConfig broker = parent.broker();
                for (String role : roles) {
                    if (!broker.admin().roles().knowsTokenRole(role)) {
                        throw new CliError("role '" + role + "' is neither in admin.roles of " + parent.config
                                + " nor a built-in template");
                    }
                }
                Duration lifetime;
                Cidr network = null;
                try {
                    lifetime = Durations.parse(expires);
                    if (source != null) {
                        network = Cidr.parse(source);
                    }
                } catch (IllegalArgumentException e) {
                    throw new CliError(e.getMessage());
                }
                if (lifetime.isZero() || lifetime.compareTo(broker.admin().maxTokenLifetime()) > 0) {
                    throw new CliError("--expires must be positive and at most " + broker.admin().maxTokenLifetime().toDays()
                            + " days (admin.max-token-lifetime)");
                }
                TokenStore.Issued issued = store(broker).create(roles, lifetime, network, description,
                        "cli:" + System.getProperty("user.name", "unknown"));
                PrintWriter out = spec.commandLine().getOut();
                spec.commandLine().getErr().println("created token " + issued.token().id() + " (roles "
                        + String.join(", ", roles) + ", expires " + issued.token().expiresAt()
                        + "); it is shown only now:");
                spec.commandLine().getErr().flush();
                out.println(issued.secret());
                out.flush();
                return 0;
            } catch (CliError e) {
                return fail(spec, e.getMessage());
            } catch (IOException e) {
                return fail(spec, "cannot write the token store: " + e.getMessage());
            }
        }
    }

    /** {@code rampart token list}. */
    @Command(name = "list", description = "Lists the tokens (never their secrets).")
    static final class ListTokens implements Callable<Integer> {
        @ParentCommand
        TokenCommand parent;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try {
                PrintWriter out = spec.commandLine().getOut();
                for (ApiToken t : store(parent.broker()).list()) {
                    out.println(t.id() + "  roles=" + String.join(",", t.roles()) + "  expires=" + t.expiresAt()
                            + "  source=" + (t.source() == null ? "any" : t.source()) + "  created-by=" + t.createdBy()
                            + "  last-used=" + (t.lastUsedAt() == null ? "never" : t.lastUsedAt())
                            + (t.description().isEmpty() ? "" : "  description=" + t.description()));
                }
                out.flush();
                return 0;
            } catch (CliError e) {
                return fail(spec, e.getMessage());
            }
        }
    }

    /** {@code rampart token revoke ID}. */
    @Command(name = "revoke", description = "Revokes a token: it stops working at once.")
    static final class Revoke implements Callable<Integer> {
        @ParentCommand
        TokenCommand parent;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "The token's id (from 'rampart token list').")
        String id;

        @Override
        public Integer call() {
            try {
                if (!store(parent.broker()).revoke(id)) {
                    throw new CliError("no token " + id);
                }
                spec.commandLine().getOut().println("revoked token " + id);
                spec.commandLine().getOut().flush();
                return 0;
            } catch (CliError e) {
                return fail(spec, e.getMessage());
            } catch (IOException e) {
                return fail(spec, "cannot write the token store: " + e.getMessage());
            }
        }
    }
}
