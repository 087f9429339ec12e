package io.rampart.server.it.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the mosquitto command line clients ({@code /usr/bin/mosquitto_pub}, {@code /usr/bin/mosquitto_sub})
 * against a test broker, always with a timeout. Output goes to a temporary file so a chatty process
 * never blocks on a full pipe.
 */
public final class PubMosquitto implements AutoCloseable {

    private final Process process;
    private final File output;
    private final File errors;

    private PubMosquitto(Process process, File output, File errors) {
        this.process = process;
        this.output = output;
        this.errors = errors;
    }

    /** Starts {@code mosquitto_sub} or {@code mosquitto_pub} with host and port of the broker's TCP listener. */
    public static PubMosquitto start(TestBroker broker, String tool, String... args) throws IOException {
        return startOn(broker.tcpPort(), tool, args);
    }

    /** Starts {@code mosquitto_sub} or {@code mosquitto_pub} against {@code port} on the broker's host. */
    public static PubMosquitto startOn(int port, String tool, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("/usr/bin/" + tool);
        command.add("-h");
        command.add(TestBroker.HOST);
        command.add("-p");
        command.add(Integer.toString(port));
        command.addAll(List.of(args));
        File out = File.createTempFile("pub-mosquitto", ".out");
        File err = File.createTempFile("pub-mosquitto", ".err");
        out.deleteOnExit();
        err.deleteOnExit();
        Process p = new ProcessBuilder(command).redirectOutput(out).redirectError(err).start();
        return new PubMosquitto(p, out, err);
    }

    /** Runs a tool to completion (at most 15 s) and returns its exit code and output. */
    public static Result run(TestBroker broker, String tool, String... args) throws Exception {
        return runOn(broker.tcpPort(), tool, args);
    }

    /** Runs a tool against {@code port} on the broker's host to completion (at most 15 s). */
    public static Result runOn(int port, String tool, String... args) throws Exception {
        try (PubMosquitto m = startOn(port, tool, args)) {
            return m.await();
        }
    }

    /** Whether the tool is still running. */
    public boolean isRunning() {
        return process.isAlive();
    }

    /** Waits (at most 15 s) for the process to end. */
    public Result await() throws Exception {
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("mosquitto client did not finish within 15 s; output so far: " + stdout()
                    + " errors: " + stderr());
        }
        return new Result(process.exitValue(), stdout(), stderr());
    }

    private String stdout() throws IOException {
        return Files.readString(output.toPath(), StandardCharsets.UTF_8);
    }

    private String stderr() throws IOException {
        return Files.readString(errors.toPath(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        output.delete();
        errors.delete();
    }

    /** Exit code, standard output and standard error of a finished tool. */
    public record Result(int exitCode, String stdout, String stderr) {
        public List<String> lines() {
            return stdout.isEmpty() ? List.of() : List.of(stdout.split("\n"));
        }
    }
}
