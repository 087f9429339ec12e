package io.rampart.server.cli;

import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** Runs a command the way the launcher will, with standard input replaced and output captured. */
record CliRun(int exitCode, String out, String err) {

    static CliRun run(Object command, String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        InputStream previous = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            int code = cl.execute(args);
            return new CliRun(code, out.toString(), err.toString());
        } finally {
            System.setIn(previous);
        }
    }
}
