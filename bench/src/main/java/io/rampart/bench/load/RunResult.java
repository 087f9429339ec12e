package io.rampart.bench.load;

import java.io.PrintStream;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * What one run measured. For the connect scenario {@code deliveredPerSecond} holds completed connection
 * cycles per second and the latency is TCP connect start to CONNACK.
 */
public record RunResult(
        LoadSettings settings,
        String transport,
        double measuredSeconds,
        double publishedPerSecond,
        double deliveredPerSecond,
        long publishedTotal,
        long deliveredTotal,
        long undelivered,
        Histogram latencyNanos,
        long errors,
        String errorSummary) {

    private static final String CSV_HEADER = "scenario,qos,mqtt_version,clients,payload_bytes,duration_s,"
            + "published_per_s,delivered_per_s,p50_us,p99_us,p999_us,max_us,errors,undelivered,samples,delivered_total";

    /** Non-zero when nothing was delivered (or no connection completed) or any error was counted. */
    public int exitCode() {
        return deliveredTotal == 0 || errors > 0 ? 1 : 0;
    }

    public void print(PrintStream out, boolean csv) {
        if (csv) {
            out.println(CSV_HEADER);
            out.println(String.format(Locale.ROOT, "%s,%d,%s,%d,%d,%.3f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%d,%d,%d,%d",
                    settings.scenario().cliName(), settings.qos().value(), settings.versionLabel(),
                    settings.clients(), settings.payloadBytes(), measuredSeconds, publishedPerSecond,
                    deliveredPerSecond, micros(0.50), micros(0.99), micros(0.999), maxMicros(), errors,
                    undelivered, latencyNanos.getTotalCount(), deliveredTotal));
            return;
        }
        out.printf(Locale.ROOT, "scenario %s, QoS %d, MQTT %s, %d clients, %d-byte payload, %s, %d thread(s)%n",
                settings.scenario().cliName(), settings.qos().value(), settings.versionLabel(), settings.clients(),
                settings.payloadBytes(), transport, settings.threads());
        out.printf(Locale.ROOT, "measured %.2f s after %d s warm-up against %s:%d%n", measuredSeconds,
                settings.warmupSeconds(), settings.host(), settings.port());
        if (settings.scenario() == Scenario.CONNECT || settings.scenario() == Scenario.IDLE) {
            out.printf(Locale.ROOT, "connections  %,12.0f /s  (%,d completed in total)%n",
                    deliveredPerSecond, deliveredTotal);
            out.printf(Locale.ROOT, "CONNACK latency us  p50 %,.0f  p99 %,.0f  p99.9 %,.0f  max %,.0f%n",
                    micros(0.50), micros(0.99), micros(0.999), maxMicros());
        } else {
            out.printf(Locale.ROOT, "published    %,12.0f msg/s (%,d in total)%n", publishedPerSecond, publishedTotal);
            out.printf(Locale.ROOT, "delivered    %,12.0f msg/s (%,d in total, %,d undelivered)%n",
                    deliveredPerSecond, deliveredTotal, undelivered);
            out.printf(Locale.ROOT, "latency us   p50 %,.0f  p99 %,.0f  p99.9 %,.0f  max %,.0f  (%,d samples)%n",
                    micros(0.50), micros(0.99), micros(0.999), maxMicros(), latencyNanos.getTotalCount());
        }
        out.printf("errors       %d (%s)%n", errors, errorSummary);
    }

    private double micros(double quantile) {
        return latencyNanos.getTotalCount() == 0 ? 0 : latencyNanos.getValueAtPercentile(quantile * 100) / 1000.0;
    }

    private double maxMicros() {
        return latencyNanos.getTotalCount() == 0 ? 0 : latencyNanos.getMaxValue() / 1000.0;
    }
}
