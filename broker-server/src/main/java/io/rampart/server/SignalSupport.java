package io.rampart.server;

/**
 * Installs handlers for SIGTERM and SIGINT through the JDK's {@code sun.misc.Signal} (module
 * jdk.unsupported), so the broker decides its exit status instead of the JVM's default 143.
 */
final class SignalSupport {

    private SignalSupport() {
    }

    /** Returns false when signals cannot be handled on this JVM (a shutdown hook is used instead). */
    static boolean onTermination(Runnable action) {
        try {
            Thread[] running = new Thread[1];
            sun.misc.SignalHandler handler = signal -> {
                synchronized (running) {
                    if (running[0] == null) {
                        running[0] = new Thread(action, "rampart-shutdown");
                        running[0].start();
                    }
                }
            };
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), handler);
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), handler);
            return true;
        } catch (Throwable e) {
            return false;
        }
    }
}
