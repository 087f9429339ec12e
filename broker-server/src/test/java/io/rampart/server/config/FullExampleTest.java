package io.rampart.server.config;

import io.rampart.core.MqttLimits;
import io.rampart.core.memory.BudgetSettings;
import io.rampart.server.it.support.TlsPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code config/examples/full.yaml} is loaded by the real configuration loader (with generated TLS files in place
 * of those under {@code config/tls/}) and shows every key the loader accepts. The accepted keys are not listed
 * here: they are the lists the loader checks each mapping against while it reads the file (every key of each
 * such list must appear in at least one mapping checked against it), and every allowed-key list ({@code KEYS},
 * {@code *_KEYS}) of the configuration package must have been reached. A key added to the loader therefore fails
 * this test until full.yaml shows it.
 */
class FullExampleTest {

    private static final Path FULL = Path.of("..", "config", "examples", "full.yaml");
    /** What the environment gives every variable full.yaml references without a default (passwords, secrets). */
    private static final String SECRET = "secret-from-the-environment-0123456789abcdef0123456789abcdef";
    private static final Pattern TLS_FILE = Pattern.compile("config/tls/([A-Za-z0-9._-]+)");
    private static final Pattern REQUIRED_VARIABLE = Pattern.compile("\\$\\{ENV:([A-Za-z_][A-Za-z0-9_]*)}");

    @TempDir
    Path dir;

    @Test
    void fullExample_loadsAndShowsEveryKeyTheLoaderAccepts() throws Exception {
        String yaml = Files.readString(FULL);
        // per list of allowed keys: the keys full.yaml shows in the mappings checked against it, and where
        Map<List<String>, Set<String>> shown = new LinkedHashMap<>();
        Map<List<String>, Set<String>> where = new HashMap<>();
        BrokerConfig config = ConfigLoader.parse(withTlsFiles(yaml), "config/examples/full.yaml", environment(yaml),
                (path, allowed, present) -> {
                    List<String> keys = List.copyOf(allowed);
                    shown.computeIfAbsent(keys, k -> new TreeSet<>()).addAll(present);
                    where.computeIfAbsent(keys, k -> new TreeSet<>()).add(path.replaceAll("\\[\\d+]", "[]"));
                });

        List<String> missing = new ArrayList<>();
        shown.forEach((allowed, present) -> allowed.stream().filter(key -> !present.contains(key))
                .forEach(key -> missing.add(key + " (accepted in " + String.join(", ", where.get(allowed)) + ")")));
        assertThat(missing).as("keys the loader accepts that config/examples/full.yaml does not show").isEmpty();

        List<String> unmet = new ArrayList<>();
        allowedKeyLists().forEach((name, keys) -> {
            if (shown.keySet().stream().noneMatch(allowed -> allowed.containsAll(keys))) {
                unmet.add(name + " " + keys);
            }
        });
        assertThat(unmet).as("allowed-key lists of the loader that no mapping of config/examples/full.yaml reaches")
                .isEmpty();

        assertThat(config.mqtt()).isEqualTo(MqttLimits.DEFAULTS);
        assertThat(config.memory()).isEqualTo(BudgetSettings.ofHeap(Runtime.getRuntime().maxMemory()));
        assertThat(config.observability().influx().enabled()).isFalse();
        assertThat(config.observability().eventLogFormat()).isEqualTo(ObservabilityConfig.DEFAULTS.eventLogFormat());
        assertThat(config.observability().sysTopics()).isEqualTo(ObservabilityConfig.SysTopics.DISABLED);
        assertThat(config.observability().tracing().enabled()).isFalse();
        assertThat(config.security().accessLog()).isEqualTo(SecurityConfig.AccessLog.DEFAULT);
        assertThat(config.security().bruteForce()).isEqualTo(SecurityConfig.BruteForce.DEFAULT);
        assertThat(config.listeners()).extracting(ListenerConfig::name)
                .containsExactly("tcp-public", "ws-public", "tcp-local", "devices", "web", "admin");
        assertThat(config.listeners().get(0).port()).isEqualTo(1883);
    }

    /** Unset variables take their defaults; those without one get {@link #SECRET}. */
    private static java.util.function.Function<String, String> environment(String yaml) {
        Map<String, String> env = new HashMap<>();
        Matcher m = REQUIRED_VARIABLE.matcher(yaml);
        while (m.find()) {
            env.put(m.group(1), SECRET);
        }
        return env::get;
    }

    /** full.yaml with each config/tls/ file replaced by a generated one of that kind. */
    private String withTlsFiles(String yaml) {
        TlsPki pki = TlsPki.create(dir, "device");
        TlsPki.Issued broker = pki.server("broker");
        TlsPki.Issued org = pki.server("mqtt.example.org");
        TlsPki.Issued net = pki.server("mqtt.example.net");
        Path crl = dir.resolve("device-ca.crl");
        pki.writeCrl(crl, pki.crl(Duration.ofDays(1)));
        Map<String, Path> files = Map.of(
                "broker.pem", pki.chainPem(broker),
                "broker-key.pem", pki.encryptedKey(broker, SECRET),
                "broker.p12", pki.pkcs12(broker, SECRET),
                "device-ca.pem", pki.caPem(),
                "device-ca.crl", crl,
                "device-trust.p12", pki.trustPkcs12(SECRET),
                "mqtt-example-org.pem", pki.chainPem(org),
                "mqtt-example-org-key.pem", pki.encryptedKey(org, SECRET),
                "mqtt-example-net.p12", pki.pkcs12(net, SECRET));
        Matcher m = TLS_FILE.matcher(yaml);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Path file = files.get(m.group(1));
            assertThat(file).as("full.yaml names config/tls/" + m.group(1) + ": generate such a file here").isNotNull();
            m.appendReplacement(out, Matcher.quoteReplacement(file.toString()));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Every static {@code KEYS} or {@code *_KEYS} list of the classes of the configuration package, by name. */
    @SuppressWarnings("unchecked")
    private static Map<String, List<String>> allowedKeyLists() throws ReflectiveOperationException,
            URISyntaxException, java.io.IOException {
        Path classes = Path.of(ConfigLoader.class.getResource("ConfigLoader.class").toURI()).getParent();
        Map<String, List<String>> lists = new TreeMap<>();
        try (Stream<Path> files = Files.list(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = file.getFileName().toString().replaceFirst("\\.class$", "");
                Class<?> type = Class.forName(ConfigLoader.class.getPackageName() + "." + name, false,
                        ConfigLoader.class.getClassLoader());
                for (Field field : type.getDeclaredFields()) {
                    if (Modifier.isStatic(field.getModifiers()) && List.class.isAssignableFrom(field.getType())
                            && (field.getName().equals("KEYS") || field.getName().endsWith("_KEYS"))) {
                        field.setAccessible(true);
                        lists.put(type.getSimpleName() + "." + field.getName(), (List<String>) field.get(null));
                    }
                }
            }
        }
        assertThat(lists).as("allowed-key lists found in " + classes).containsKey("ConfigLoader.KEYS");
        return lists;
    }
}
