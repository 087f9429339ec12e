package io.rampart.server.cli;

import io.rampart.admin.audit.AuditChain;
import io.rampart.admin.audit.AuditVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code rampart audit verify FILE}: checks the hash chain of an audit log. */
@Command(name = "audit", exitCodeOnInvalidInput = 1, description = "Works on the admin plane's audit log.",
        subcommands = AuditCommand.Verify.class)
public final class AuditCommand implements Runnable {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Spec
    CommandSpec spec;

    public AuditCommand() {
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    /** Exit 0 and "OK" when intact; exit 1 naming the first line where the chain breaks. */
    @Command(name = "verify", description = {"Checks that no line of an audit log was changed, removed, inserted or"
            + " reordered.", "Exit status 0 when intact, 1 when the chain breaks (the line is named)."})
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "An audit log, e.g. logs/audit.log.")
        Path file;

        @Override
        public Integer call() {
            AuditChain.Verdict verdict;
            try {
                verdict = AuditVerifier.verify(file);
            } catch (NoSuchFileException e) {
                return fail("file not found: " + file);
            } catch (IOException e) {
                return fail("cannot read " + file + ": " + e.getMessage());
            }
            if (verdict.intact()) {
                spec.commandLine().getOut().println("OK: " + file + ": " + verdict.lines() + " line(s), hash chain intact ("
                        + verdict.reason() + ")");
                spec.commandLine().getOut().flush();
                return 0;
            }
            spec.commandLine().getOut().println("BROKEN: " + file + ": " + verdict.reason());
            spec.commandLine().getOut().flush();
            return 1;
        }

        private int fail(String message) {
            spec.commandLine().getErr().println("rampart audit verify: " + message);
            spec.commandLine().getErr().flush();
            return 2;
        }
    }
}
