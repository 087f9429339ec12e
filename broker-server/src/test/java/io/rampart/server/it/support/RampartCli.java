package io.rampart.server.it.support;

import io.rampart.server.Main;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** The {@code rampart} command line run in the test JVM as the launcher runs it, with standard input replaced. */
public final class RampartCli {

    /** Exit code and captured output of one run. */
    public record Result(int exitCode, String out, String err) {
    }

    private RampartCli() {
    }

    /** {@code rampart ARGS} with {@code stdin} as standard input. */
    public static Result run(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        InputStream previous = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            int code = cl.execute(args);
            return new Result(code, out.toString(), err.toString());
        } finally {
            System.setIn(previous);
        }
    }
}
