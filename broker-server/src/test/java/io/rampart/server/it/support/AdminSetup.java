package io.rampart.server.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Brokers with an admin plane for the admin API end-to-end tests: an MQTT listener {@code tcp} (anonymous clients
 * may do anything; clients with a user name log in against the {@code devices} realm) and an admin listener
 * {@code admin} whose pipeline authenticates operators against the {@code admins} realm. Every operator and device
 * user has the password {@link #PASSWORD}.
 *
 * <p>Operators and their admin roles: {@code root} super-admin, {@code vera} viewer, {@code otto} operator,
 * {@code sam} security-admin, {@code alice} an operator scoped to clients {@code site-a/*} and topics
 * {@code site-a/#} (with payloads and addresses there), {@code nobody} no admin permission at all.
 */
public final class AdminSetup {

    public static final String PASSWORD = "admin-pass-123";
    public static final String ADMIN_LISTENER = "admin";
    /**
     * Device users of the Control Center tests: {@code device-1} may use every topic, {@code sensor-7} publishes
     * telemetry and is denied firmware topics by a rule (line 11 of the file).
     */
    public static final String SENSOR_DEVICES = """
            users:
              - {username: device-1, password: "%1$s", roles: [all]}
              - {username: sensor-7, password: "%1$s", roles: [sensors]}
            roles:
              - name: all
                permissions: [{topic: "#"}]
              - name: sensors
                permissions:
                  - {topic: "plant/+/telemetry", activity: publish}
                  - {topic: "config/#", activity: subscribe}
                  - {topic: "plant/+/firmware/#", effect: deny}
            """;

    private final Path dir;
    private String extraListeners = "";
    private String adminSection = "";
    private String securityExtras = "";
    private String adminListener = "{type: admin, name: admin, bind: 127.0.0.1, port: 0}";
    private String mqttListener = "{type: tcp, name: tcp, bind: 127.0.0.1, port: 0}";
    private String topLevel = "";
    private String extraRealms = "";
    private String extraAdminManagers = "";
    private String devices;
    private String mqttAuthentication = "";
    private String mqttAuthorization = "";
    private String extraPipelines = "";

    private AdminSetup(Path dir) {
        this.dir = dir;
    }

    /** @param dir a temporary directory: users files and the data directory go there */
    public static AdminSetup in(Path dir) {
        return new AdminSetup(dir);
    }

    /** More listener entries, one flow mapping per line (unindented). */
    public AdminSetup listeners(String lines) {
        this.extraListeners = lines;
        return this;
    }

    /** Replaces the admin listener entry (a flow mapping named {@code admin}). */
    public AdminSetup adminListener(String flowMapping) {
        this.adminListener = flowMapping;
        return this;
    }

    /** Replaces the MQTT listener entry (a flow mapping named {@code tcp}). */
    public AdminSetup mqttListener(String flowMapping) {
        this.mqttListener = flowMapping;
        return this;
    }

    /** More top-level sections, as written (e.g. a {@code cluster:} section). */
    public AdminSetup topLevel(String yaml) {
        this.topLevel = yaml;
        return this;
    }

    /** More keys of the {@code admin:} section (unindented), besides {@code roles}. */
    public AdminSetup admin(String lines) {
        this.adminSection = lines;
        return this;
    }

    /** More keys of the {@code security:} section (unindented), e.g. a brute-force block. */
    public AdminSetup security(String lines) {
        this.securityExtras = lines;
        return this;
    }

    /** More realms (unindented list entries) and more authentication managers of the admin pipeline. */
    public AdminSetup adminRealms(String realms, String managers) {
        this.extraRealms = realms;
        this.extraAdminManagers = managers;
        return this;
    }

    /** More top-level sections (unindented), e.g. {@code detections:}. */
    public AdminSetup sections(String yaml) {
        this.topLevel = yaml;
        return this;
    }

    /**
     * Replaces the device users file (realm {@code devices}); {@code %1$s} in it stands for the hash of
     * {@link #PASSWORD}.
     */
    public AdminSetup devices(String usersYaml) {
        this.devices = usersYaml;
        return this;
    }

    /** More authentication and authorization managers of the {@code mqtt} pipeline (unindented list entries). */
    public AdminSetup mqttManagers(String authentication, String authorization) {
        this.mqttAuthentication = authentication;
        this.mqttAuthorization = authorization;
        return this;
    }

    /** More pipelines (unindented list entries), e.g. for an extra listener with realms of its own. */
    public AdminSetup pipelines(String entries) {
        this.extraPipelines = entries;
        return this;
    }

    public Path dir() {
        return dir;
    }

    public Path dataDir() {
        return dir.resolve("data");
    }

    public String yaml() {
        writeUsers();
        StringBuilder y = new StringBuilder();
        y.append("data-dir: ").append(dataDir()).append('\n');
        y.append("listeners:\n");
        y.append("  - ").append(mqttListener).append('\n');
        y.append("  - ").append(adminListener).append('\n');
        for (String line : extraListeners.lines().toList()) {
            y.append("  ").append(line).append('\n');
        }
        y.append("""
                security:
                  realms:
                    - {name: admins, type: file, path: %s}
                    - {name: devices, type: file, path: %s}
                %s  pipelines:
                    - name: mqtt
                      listeners: ["*"]
                      authentication:
                        - type: anonymous
                          permissions: [{topic: "#"}]
                        - {type: password, realm: devices}
                %s      authorization:
                        - {type: realm, realm: devices}
                %s    - name: admin
                      listeners: [admin]
                      authentication:
                        - {type: password, realm: admins}
                %s%s""".formatted(dir.resolve("admins.yaml"), dir.resolve("devices.yaml"), indent(extraRealms, "    "),
                indent(mqttAuthentication, "        "), indent(mqttAuthorization, "        "),
                indent(extraAdminManagers, "        "), indent(extraPipelines, "    ")));
        for (String line : securityExtras.lines().toList()) {
            y.append("  ").append(line).append('\n');
        }
        y.append("""
                admin:
                  roles:
                    admins: [super-admin]
                    viewers: [viewer]
                    operators: [operator]
                    security: [security-admin]
                    site-a:
                      - {template: operator, clients: "site-a/*", topics: "site-a/#"}
                      - {permissions: [data:payload, data:address], clients: "site-a/*", topics: "site-a/#"}
                """);
        for (String line : adminSection.lines().toList()) {
            y.append("  ").append(line).append('\n');
        }
        y.append(topLevel);
        return y.toString();
    }

    private static String indent(String block, String prefix) {
        StringBuilder out = new StringBuilder();
        for (String line : block.lines().toList()) {
            out.append(prefix).append(line).append('\n');
        }
        return out.toString();
    }

    public TestBroker start() {
        return TestBroker.startYaml(yaml());
    }

    private void writeUsers() {
        String hash = SecSetup.hash(PASSWORD);
        try {
            if (!Files.exists(dir.resolve("admins.yaml"))) {
                Files.writeString(dir.resolve("admins.yaml"), """
                        users:
                          - {username: root, password: "%1$s", roles: [admins]}
                          - {username: vera, password: "%1$s", roles: [viewers]}
                          - {username: otto, password: "%1$s", roles: [operators]}
                          - {username: sam, password: "%1$s", roles: [security]}
                          - {username: alice, password: "%1$s", roles: [site-a]}
                          - {username: nobody, password: "%1$s"}
                        roles:
                          - {name: admins}
                          - {name: viewers}
                          - {name: operators}
                          - {name: security}
                          - {name: site-a}
                        """.formatted(hash));
            }
            if (devices != null) {
                Files.writeString(dir.resolve("devices.yaml"), devices.formatted(hash));
            } else if (!Files.exists(dir.resolve("devices.yaml"))) {
                Files.writeString(dir.resolve("devices.yaml"), """
                        users:
                          - {username: device-1, password: "%1$s", roles: [all]}
                          - {username: device-2, password: "%1$s", roles: [all]}
                        roles:
                          - name: all
                            limits: {messages-per-second: 1000, message-burst: 2000}
                            permissions: [{topic: "#"}]
                        """.formatted(hash));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
