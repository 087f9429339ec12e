package io.rampart.server.cli;

import io.rampart.security.hash.HashAlgorithm;
import io.rampart.security.hash.PasswordHasher;
import io.rampart.security.realm.sql.SqlRealmSettings;
import io.rampart.security.realm.sql.SqlUser;
import io.rampart.security.realm.sql.SqlUserAdmin;
import io.rampart.server.cli.HashCommand.CliError;
import io.rampart.server.config.BrokerConfig;
import io.rampart.server.config.ConfigException;
import io.rampart.server.config.ConfigLoader;
import io.rampart.server.config.SecurityConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.Console;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

/**
 * {@code rampart users --config FILE --realm NAME add|remove|passwd|grant|revoke|enable|disable|list|permit|forbid|
 * permissions|remove-permission ...}: manages the users, roles and permissions of a SQL realm, connecting with the
 * realm's settings from the broker configuration. Passwords are read from the terminal (twice, without echo) or,
 * with {@code --password-stdin}, as one line from standard input; never from an argument. A running broker sees
 * the change within the realm's cache TTL.
 */
@Command(name = "users", exitCodeOnInvalidInput = 1, mixinStandardHelpOptions = false,
        description = {"Manages the users, roles and permissions of a SQL realm (see docs/SQL-REALM.md).",
                "Example:  printf 'secret\\n' | rampart users --realm db add sensor-1 --roles sensors --password-stdin",
                "          rampart users --realm db permit --role sensors --activity publish 'devices/$${mqtt-clientid}/#'"},
        subcommands = {UsersCommand.Add.class, UsersCommand.Remove.class, UsersCommand.Passwd.class,
                UsersCommand.Grant.class, UsersCommand.Revoke.class, UsersCommand.Enable.class,
                UsersCommand.Disable.class, UsersCommand.ListUsers.class, PermissionCommands.Permit.class,
                PermissionCommands.Forbid.class, PermissionCommands.ListPermissions.class,
                PermissionCommands.RemovePermission.class})
public final class UsersCommand implements Runnable {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Broker configuration whose realm to use. Default: ${DEFAULT-VALUE}")
    Path config = Path.of("config", "broker.yaml");

    @Option(names = "--realm", required = true, paramLabel = "NAME", description = "A realm of type sql in FILE.")
    String realm;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    public UsersCommand() {
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    /** The realm's settings from the configuration file. */
    SqlRealmSettings settings() throws CliError {
        BrokerConfig broker;
        try {
            broker = ConfigLoader.load(config);
        } catch (ConfigException e) {
            throw new CliError("invalid configuration: " + e.getMessage());
        }
        for (SecurityConfig.Realm r : broker.security().realms()) {
            if (r.name().equals(realm)) {
                if (!(r.settings() instanceof SqlRealmSettings s)) {
                    throw new CliError("realm '" + realm + "' in " + config + " is of type " + r.type()
                            + ", not sql" + (r.type().equals("file") ? " (use 'rampart passwd')" : ""));
                }
                return s;
            }
        }
        throw new CliError("no realm named '" + realm + "' in " + config);
    }

    /** Opens the realm's database, runs the action, and reports errors as one line. */
    int execute(CommandSpec sub, Action action) {
        try {
            SqlRealmSettings s = settings();
            try (SqlUserAdmin admin = SqlUserAdmin.open(s)) {
                String done = action.run(admin);
                if (done != null) {
                    sub.commandLine().getOut().println(done);
                }
                sub.commandLine().getOut().flush();
                return 0;
            }
        } catch (CliError | SqlUserAdmin.AdminException e) {
            return fail(sub, e.getMessage());
        } catch (SQLException e) {
            String hint = e.getMessage() != null && e.getMessage().contains("Database may be already in use")
                    ? " (the embedded database is open in a running broker: stop it first, or use PostgreSQL)" : "";
            return fail(sub, "database error: " + e.getMessage().lines().findFirst().orElse("") + hint);
        }
    }

    private static int fail(CommandSpec sub, String message) {
        sub.commandLine().getErr().println("rampart users " + sub.name() + ": " + message);
        sub.commandLine().getErr().flush();
        return 1;
    }

    @FunctionalInterface
    interface Action {
        /** @return the line to print on success, or {@code null} */
        String run(SqlUserAdmin admin) throws SQLException, SqlUserAdmin.AdminException, CliError;
    }

    static void checkUsername(String name) throws CliError {
        if (name.isEmpty()) {
            throw new CliError("empty user name");
        }
        if (!name.strip().equals(name)) {
            throw new CliError("a user name may not start or end with white space");
        }
        if (name.chars().anyMatch(Character::isISOControl)) {
            throw new CliError("a user name may not contain control characters");
        }
    }

    /** The new password's hash: from standard input with {@code --password-stdin}, else asked twice on the terminal. */
    static String newPasswordHash(boolean fromStdin, String algorithm) throws CliError {
        HashAlgorithm alg = HashCommand.algorithm(algorithm);
        char[] password;
        if (fromStdin) {
            password = HashCommand.readLine(System.in);
        } else {
            Console console = System.console();
            if (console == null) {
                throw new CliError("no terminal to ask for the password: pipe it on standard input and add "
                        + "--password-stdin");
            }
            password = HashCommand.readNewPassword();
        }
        try {
            if (password.length == 0) {
                throw new CliError("empty password refused");
            }
            return new PasswordHasher().hash(password, alg);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    static List<String> cleanRoles(List<String> roles) throws CliError {
        List<String> out = roles.stream().map(String::trim).filter(r -> !r.isEmpty()).distinct().toList();
        for (String r : out) {
            checkUsername(r);
        }
        return out;
    }

    /** What every subcommand has: the parent command (config file, realm) and its own spec (output streams). */
    abstract static class Subcommand implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        UsersCommand parent;
        @Spec
        CommandSpec spec;
    }

    /** A subcommand about one user. */
    abstract static class OneUser extends Subcommand {
        @Parameters(index = "0", paramLabel = "USERNAME")
        String username;
    }

    @Command(name = "add", exitCodeOnInvalidInput = 1,
            description = "Adds a user (roles that do not exist yet are created).")
    static final class Add extends OneUser {
        @Option(names = "--roles", split = ",", paramLabel = "ROLE", description = "Roles, comma-separated.")
        List<String> roles = List.of();
        @Option(names = "--algorithm", paramLabel = "ALGORITHM", description = "pbkdf2 (default), bcrypt or argon2id")
        String algorithm = HashAlgorithm.PBKDF2_SHA512.cliName();
        @Option(names = "--password-stdin", description = "Read the password as one line from standard input.")
        boolean passwordStdin;

        @Override
        public Integer call() {
            return parent.execute(spec, admin -> {
                checkUsername(username);
                List<String> r = cleanRoles(roles);
                admin.add(username, newPasswordHash(passwordStdin, algorithm), r);
                return "added user '" + username + "' to realm '" + parent.realm + "'"
                        + (r.isEmpty() ? "" : " with roles " + String.join(", ", r));
            });
        }
    }

    @Command(name = "remove", exitCodeOnInvalidInput = 1,
            description = "Removes a user (with its roles and own permissions).")
    static final class Remove extends OneUser {

        @Override
        public Integer call() {
            return parent.execute(spec, admin -> {
                admin.remove(username);
                return "removed user '" + username + "' from realm '" + parent.realm + "'";
            });
        }
    }

    @Command(name = "passwd", exitCodeOnInvalidInput = 1,
            description = "Sets a user's password.")
    static final class Passwd extends OneUser {
        @Option(names = "--algorithm", paramLabel = "ALGORITHM", description = "pbkdf2 (default), bcrypt or argon2id")
        String algorithm = HashAlgorithm.PBKDF2_SHA512.cliName();
        @Option(names = "--password-stdin", description = "Read the password as one line from standard input.")
        boolean passwordStdin;

        @Override
        public Integer call() {
            return parent.execute(spec, admin -> {
                admin.setPassword(username, newPasswordHash(passwordStdin, algorithm));
                return "changed the password of '" + username + "' in realm '" + parent.realm + "'";
            });
        }
    }

    @Command(name = "grant", exitCodeOnInvalidInput = 1,
            description = "Gives a user roles (roles that do not exist yet are created).")
    static final class Grant extends OneUser {
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "ROLE")
        List<String> roles;

        @Override
        public Integer call() {
            return parent.execute(spec, admin -> {
                List<String> r = cleanRoles(roles);
                admin.grant(username, r);
                return "granted " + String.join(", ", r) + " to '" + username + "'";
            });
        }
    }

    @Command(name = "revoke", exitCodeOnInvalidInput = 1,
            description = "Takes roles from a user.")
    static final class Revoke extends OneUser {
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "ROLE")
        List<String> roles;

        @Override
        public Integer call() {
            return parent.execute(spec, admin -> {
                List<String> r = cleanRoles(roles);
                admin.revoke(username, r);
                return "revoked " + String.join(", ", r) + " from '" + username + "'";
            });
        }
    }

    @Command(name = "enable", exitCodeOnInvalidInput = 1, description = "Lets a disabled user log in again.")
    static final class Enable extends OneUser {

        @Override
        public Integer call() {
            return parent.execute(spec, admin -> {
                admin.setEnabled(username, true);
                return "enabled '" + username + "'";
            });
        }
    }

    @Command(name = "disable", exitCodeOnInvalidInput = 1,
            description = "Stops a user from logging in (and from holding permissions) without deleting it.")
    static final class Disable extends OneUser {

        @Override
        public Integer call() {
            return parent.execute(spec, admin -> {
                admin.setEnabled(username, false);
                return "disabled '" + username + "'";
            });
        }
    }

    @Command(name = "list", exitCodeOnInvalidInput = 1,
            description = "Lists the users with their roles (one per line: name, state, roles).")
    static final class ListUsers extends Subcommand {

        @Override
        public Integer call() {
            return parent.execute(spec, admin -> {
                PrintWriter out = spec.commandLine().getOut();
                for (SqlUser u : admin.list()) {
                    out.println(u.username() + "\t" + (u.enabled() ? "enabled" : "disabled")
                            + (u.passwordHash() == null ? ",no-password" : "") + "\t" + String.join(",", u.roles()));
                }
                return null;
            });
        }
    }
}
