package io.rampart.server.cli;

import io.rampart.security.permission.Activity;
import io.rampart.security.permission.Effect;
import io.rampart.security.permission.Permission;
import io.rampart.security.realm.sql.PermissionRow;
import io.rampart.server.cli.HashCommand.CliError;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The permission subcommands of {@code rampart users}: {@code permit} and {@code forbid} add an allow or a deny
 * rule (a topic rule, or with {@code --client-id} a client-id rule) to a role or a user, {@code permissions} lists
 * the rules, {@code remove-permission} deletes one. A rule is checked as the realm reads it (topic filter and
 * placeholders, activity, QoS, retain, shared subscriptions and share groups; a client-id pattern) and is not
 * written when the realm would skip it or match nothing with it.
 */
final class PermissionCommands {

    private PermissionCommands() {
    }

    /** Exactly one of {@code --role} and {@code --user}. */
    static final class OwnerOption {
        @Option(names = "--role", required = true, paramLabel = "ROLE", description = "A role (created when missing).")
        String role;
        @Option(names = "--user", required = true, paramLabel = "USER", description = "A user (must exist).")
        String user;

        PermissionRow.Owner owner() throws CliError {
            String name = role != null ? role : user;
            UsersCommand.checkUsername(name);
            return role != null ? PermissionRow.Owner.role(name) : PermissionRow.Owner.user(name);
        }
    }

    /** The options of a rule that both allow and deny rules have. */
    abstract static class Rule extends UsersCommand.Subcommand {
        private static final List<String> TOPIC_OPTIONS = List.of("--activity", "--qos", "--no-retain",
                "--no-shared-subscription", "--share-groups");

        @ArgGroup(exclusive = true, multiplicity = "1")
        OwnerOption owner;
        @Parameters(index = "0", arity = "0..1", paramLabel = "TOPIC_FILTER",
                description = "An MQTT topic filter; placeholders such as $${mqtt-clientid} allowed (quote it in the shell).")
        String topic;
        @Option(names = "--client-id", paramLabel = "PATTERN",
                description = "Instead of TOPIC_FILTER, a client-id rule: the client ids the role or user may use "
                        + "(permit) or not (forbid) at CONNECT; '*' = any run of characters, placeholders allowed.")
        String clientId;
        @Option(names = "--activity", paramLabel = "ACTIVITY", description = "publish, subscribe or all (default).")
        String activity = "all";
        @Option(names = "--qos", split = ",", paramLabel = "QOS",
                description = "The QoS levels the rule applies to, comma-separated (default 0,1,2).")
        List<String> qos = List.of("0", "1", "2");
        @Option(names = "--description", paramLabel = "TEXT", description = "Stored with the rule.")
        String description;

        abstract Effect effect();

        /** The topic rule the options describe. */
        abstract Permission topicRule() throws CliError;

        @Override
        public Integer call() {
            return parent.execute(spec, admin -> {
                PermissionRow.Owner who = owner.owner();
                Permission rule = rule();
                boolean newRole = who.role() && !admin.roleExists(who.name());
                long id = admin.permit(who, rule, description);
                return "added permission " + id + " to " + who + (newRole ? " (new role)" : "") + ": " + describe(rule);
            });
        }

        private Permission rule() throws CliError {
            if (clientId == null) {
                if (topic == null) {
                    throw new CliError("give a TOPIC_FILTER, or --client-id PATTERN for a client-id rule");
                }
                return topicRule();
            }
            if (topic != null) {
                throw new CliError("give either a TOPIC_FILTER or --client-id, not both");
            }
            for (String option : TOPIC_OPTIONS) {
                if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                    throw new CliError(option + " applies to topic rules, not to --client-id");
                }
            }
            return Permission.clientId(clientId, effect());
        }

        Activity activity() throws CliError {
            return switch (activity) {
                case "publish" -> Activity.PUBLISH;
                case "subscribe" -> Activity.SUBSCRIBE;
                case "all" -> Activity.ALL;
                default -> throw new CliError("--activity must be publish, subscribe or all (was '" + activity + "')");
            };
        }

        int qosMask() throws CliError {
            List<Integer> levels = new ArrayList<>();
            for (String q : qos) {
                String level = q.strip();
                if (!level.equals("0") && !level.equals("1") && !level.equals("2")) {
                    throw new CliError("--qos takes 0, 1 and 2 (was '" + q + "')");
                }
                levels.add(Integer.parseInt(level));
            }
            if (levels.isEmpty()) {
                throw new CliError("--qos must name at least one level");
            }
            return Permission.qosMask(levels);
        }
    }

    @Command(name = "permit", exitCodeOnInvalidInput = 1,
            description = "Adds an allow rule to a role (created when missing) or to a user.")
    static final class Permit extends Rule {
        @Option(names = "--no-retain", description = "Publishing with RETAIN is not allowed by this rule.")
        boolean noRetain;
        @Option(names = "--no-shared-subscription", description = "$$share/... subscriptions are not allowed by this rule.")
        boolean noSharedSubscription;
        @Option(names = "--share-groups", split = ",", paramLabel = "GROUP",
                description = "Allow shared subscriptions only in these groups (comma-separated; default any).")
        List<String> shareGroups = List.of();

        @Override
        Effect effect() {
            return Effect.ALLOW;
        }

        @Override
        Permission topicRule() throws CliError {
            Set<String> groups = new LinkedHashSet<>();
            for (String g : shareGroups) {
                if (!g.isBlank()) {
                    groups.add(g.strip());
                }
            }
            return new Permission(topic, activity(), qosMask(), !noRetain, !noSharedSubscription, groups, Effect.ALLOW);
        }
    }

    @Command(name = "forbid", exitCodeOnInvalidInput = 1,
            description = "Adds a deny rule (it wins over every allow) to a role (created when missing) or to a user.")
    static final class Forbid extends Rule {

        @Override
        Effect effect() {
            return Effect.DENY;
        }

        @Override
        Permission topicRule() throws CliError {
            return new Permission(topic, activity(), qosMask(), true, true, Set.of(), Effect.DENY);
        }
    }

    @Command(name = "permissions", exitCodeOnInvalidInput = 1,
            description = {"Lists the permission rules of every role and user, or of one.",
                    "One per line, tab-separated: id, role:NAME or user:NAME, allow or deny, activity, topic filter,",
                    "qos, and for allow rules retain, shared-subscription and share-groups, then the description;",
                    "a client-id rule shows 'client-id' and its pattern after allow or deny; a rule the realm",
                    "skips shows 'skipped' and the reason instead."})
    static final class ListPermissions extends UsersCommand.Subcommand {
        @ArgGroup(exclusive = true, multiplicity = "0..1")
        OwnerOption owner;

        @Override
        public Integer call() {
            return parent.execute(spec, admin -> {
                PrintWriter out = spec.commandLine().getOut();
                for (PermissionRow row : admin.permissions(owner == null ? null : owner.owner())) {
                    out.println(line(row));
                }
                return null;
            });
        }
    }

    @Command(name = "remove-permission", exitCodeOnInvalidInput = 1,
            description = "Deletes a permission rule by its id (see 'permissions'), from every role and user holding it.")
    static final class RemovePermission extends UsersCommand.Subcommand {
        @Parameters(index = "0", paramLabel = "ID")
        long id;

        @Override
        public Integer call() {
            return parent.execute(spec, admin -> {
                StringJoiner owners = new StringJoiner(", ");
                String what = "";
                for (PermissionRow row : admin.removePermission(id)) {
                    owners.add(row.owner().toString());
                    what = row.permission() == null ? "'" + row.pattern() + "'" : describe(row.permission());
                }
                return "removed permission " + id + (owners.length() == 0 ? "" : " from " + owners + ": " + what);
            });
        }
    }

    /** {@code allow publish 'a/#' qos=0,1 retain=false shared-subscription=true share-groups=any}. */
    static String describe(Permission p) {
        if (p.isClientIdRule()) {
            return lower(p.effect()) + " client-id '" + p.topicFilter() + "'";
        }
        StringBuilder sb = new StringBuilder();
        sb.append(lower(p.effect())).append(' ').append(lower(p.activity())).append(" '").append(p.topicFilter())
                .append("' qos=").append(qos(p));
        if (p.effect() == Effect.ALLOW) {
            sb.append(" retain=").append(p.retain()).append(" shared-subscription=").append(p.sharedSubscription())
                    .append(" share-groups=").append(groups(p));
        }
        return sb.toString();
    }

    static String line(PermissionRow row) {
        String owner = (row.owner().role() ? "role:" : "user:") + printable(row.owner().name());
        Permission p = row.permission();
        if (p == null) {
            return row.id() + "\t" + owner + "\tskipped\t" + printable(String.valueOf(row.pattern())) + "\t"
                    + printable(row.problem());
        }
        StringJoiner line = new StringJoiner("\t");
        line.add(Long.toString(row.id())).add(owner).add(lower(p.effect()));
        if (p.isClientIdRule()) {
            line.add("client-id").add(printable(p.topicFilter()));
        } else {
            line.add(lower(p.activity())).add(printable(p.topicFilter())).add("qos=" + qos(p));
        }
        if (p.effect() == Effect.ALLOW && !p.isClientIdRule()) {
            line.add("retain=" + p.retain()).add("shared-subscription=" + p.sharedSubscription())
                    .add("share-groups=" + groups(p));
        }
        if (row.description() != null) {
            line.add("description=" + printable(row.description()));
        }
        return line.toString();
    }

    /** Control characters (a tab or line break stored in the database) as {@code \\uXXXX}, so a row stays one line. */
    private static String printable(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        return sb.toString();
    }

    private static String qos(Permission p) {
        StringJoiner levels = new StringJoiner(",");
        for (int level = 0; level < 3; level++) {
            if (p.allowsQos(level)) {
                levels.add(Integer.toString(level));
            }
        }
        return levels.toString();
    }

    private static String groups(Permission p) {
        return p.shareGroups().isEmpty() ? "any" : String.join(",", new java.util.TreeSet<>(p.shareGroups()));
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
