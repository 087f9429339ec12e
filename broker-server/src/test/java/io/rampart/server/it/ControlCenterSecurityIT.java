package io.rampart.server.it;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.rampart.server.it.support.Acks;
import io.rampart.server.it.support.AdminClient;
import io.rampart.server.it.support.AdminSetup;
import io.rampart.server.it.support.Browser;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.JwtTokens;
import io.rampart.server.it.support.PubMosquitto;
import io.rampart.server.it.support.RawTransport;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import java.nio.file.Path;
import java.time.Duration;

import static io.rampart.server.it.support.Connects.connect5;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Control Center's Security page and a client's recent events in a real browser against a real broker: the
 * policy simulator answers as real publishes are answered, with the deciding rule and where it is written; a user
 * added to a file realm through the page connects with {@code mosquitto_pub}, a role added there carries its rules,
 * the API's refusals are shown as they are worded, a JWT realm is shown read-only; a rule's QoS levels edited on the
 * page decide a real client's publishes, an invalid rule's refusal is shown at its field, a SQL user disabled on the
 * page is refused by {@code mosquitto_pub}, admin permissions given to a role on the page let its operator read
 * realms, without edit controls; a denied publish appears in the client's recent events with the rule that decided
 * and where it is written.
 */
class ControlCenterSecurityIT {

    private static final String NEW_USER_PASSWORD = "new-user-pass-123";

    @TempDir
    static Path dir;

    private static TestBroker broker;
    private static Clients clients;
    private static int adminPort;

    @BeforeAll
    static void start() throws Exception {
        broker = AdminSetup.in(dir).devices(AdminSetup.SENSOR_DEVICES)
                .listeners("- {type: tcp, name: fleet, bind: 127.0.0.1, port: 0}\n")
                .adminRealms("- {name: idp, type: jwt, secrets: [\"%s\"]}\n- {name: fleet, type: sql}\n"
                        .formatted(JwtTokens.SECRET), "")
                .pipelines("""
                        - name: fleet
                          listeners: [fleet]
                          authentication: [{type: password, realm: fleet}]
                          authorization: [{type: realm, realm: fleet}]
                        """)
                .start();
        clients = new Clients(broker);
        adminPort = broker.port(AdminSetup.ADMIN_LISTENER);
    }

    @AfterAll
    static void stop() {
        clients.close();
        broker.close();
    }

    private static AdminClient root() {
        return AdminClient.http(adminPort).as("root");
    }

    private static Mqtt5AsyncClient sensor(String clientId) {
        Mqtt5AsyncClient c = clients.hive5(RawTransport.TCP, clientId);
        assertThat(connect5(c, "sensor-7", AdminSetup.PASSWORD)).isZero();
        return c;
    }

    /** Chooses a realm on the Security page once the page has listed it. */
    private static void selectRealm(Browser b, String realm) {
        b.shown(By.cssSelector("#realm-select option[value='" + realm + "']"));
        new Select(b.driver().findElement(By.id("realm-select"))).selectByValue(realm);
    }

    private static WebElement simulate(Browser b, String topic) {
        b.shown(By.id("p-user")).clear();
        b.driver().findElement(By.id("p-user")).sendKeys("sensor-7");
        b.driver().findElement(By.id("p-listener")).clear();
        b.driver().findElement(By.id("p-listener")).sendKeys("tcp");
        new Select(b.driver().findElement(By.id("p-action"))).selectByValue("publish");
        new Select(b.driver().findElement(By.id("p-qos"))).selectByValue("1");
        b.driver().findElement(By.id("p-topic")).clear();
        b.driver().findElement(By.id("p-topic")).sendKeys(topic);
        b.driver().findElement(By.cssSelector("[data-testid='policy-form'] button[type='submit']")).click();
        return b.shown(By.xpath("//table[@data-testid='policy-results']//tr[td[text()='" + topic + "']]"));
    }

    @Test
    void policySimulator_answersAsARealPublishIsAnswered_withTheDecidingRuleAndItsOrigin() {
        Mqtt5AsyncClient real = sensor("cc-sim-sensor");
        try (Browser b = Browser.open(adminPort)) {
            b.signIn("root", AdminSetup.PASSWORD);
            b.testId("nav-security").click();
            b.testId("policy-form");

            WebElement allowed = simulate(b, "plant/3/telemetry");
            assertThat(allowed.findElement(By.cssSelector("[data-testid='verdict']")).getText()).isEqualTo("allowed");
            assertThat(allowed.getText()).contains("allow publish plant/+/telemetry");
            assertThat(allowed.findElement(By.cssSelector("[data-testid='policy-origin']")).getText())
                    .contains("realm 'devices'").contains("role 'sensors'").contains("devices.yaml line");
            assertThat(Acks.pubAck(real, "plant/3/telemetry", 1, false)).as("the real publish").isZero();

            WebElement denied = simulate(b, "plant/3/valve");
            assertThat(denied.findElement(By.cssSelector("[data-testid='verdict']")).getText()).isEqualTo("denied");
            assertThat(denied.findElement(By.cssSelector("[data-testid='policy-reason']")).getText())
                    .contains("no rule matched");
            assertThat(Acks.pubAck(real, "plant/3/valve", 1, false)).as("the real publish").isEqualTo(0x87);
            assertThat(b.testId("policy-connect").getText()).contains("allowed");
            b.pageScreenshot("security-policy-simulator");
            assertThat(b.consoleProblems()).isEmpty();
        }
    }

    @Test
    void aUserAddedOnThePage_connectsWithMosquittoPub_andRefusalsAndReadOnlyRealmsAreShown() throws Exception {
        try (Browser b = Browser.open(adminPort)) {
            b.signIn("root", AdminSetup.PASSWORD);
            b.go("/#/security");
            selectRealm(b, "idp");
            assertThat(b.testId("realm-read-only").getText()).contains("idp").contains("jwt");
            assertThat(b.present(By.cssSelector("[data-testid='user-form']"))).isFalse();

            selectRealm(b, "devices");
            b.shown(By.cssSelector("tr[data-user='sensor-7']"));
            b.driver().findElement(By.id("ro-name")).sendKeys("cc-writers");
            b.driver().findElement(By.id("ro-rules")).sendKeys("allow publish cc/written/#");
            b.driver().findElement(By.cssSelector("[data-testid='role-form'] button[type='submit']")).click();
            assertThat(b.shown(By.cssSelector("tr[data-role='cc-writers']")).getText())
                    .contains("allow publish cc/written/#");

            b.driver().findElement(By.id("u-name")).sendKeys("cc-refused");
            b.driver().findElement(By.id("u-roles")).sendKeys("no-such-role");
            b.driver().findElement(By.cssSelector("[data-testid='user-form'] button[type='submit']")).click();
            assertThat(b.testId("error").getText()).contains("no-such-role");

            b.driver().findElement(By.id("u-name")).clear();
            b.driver().findElement(By.id("u-name")).sendKeys("cc-new-user");
            b.driver().findElement(By.id("u-password")).sendKeys(NEW_USER_PASSWORD);
            b.driver().findElement(By.id("u-roles")).clear();
            b.driver().findElement(By.id("u-roles")).sendKeys("cc-writers");
            b.driver().findElement(By.cssSelector("[data-testid='user-form'] button[type='submit']")).click();
            assertThat(b.shown(By.cssSelector("tr[data-user='cc-new-user']")).getText()).contains("cc-writers");
            assertThat(b.testId("status").getText()).contains("cc-new-user");
            b.pageScreenshot("security-realm-users");
            assertThat(b.consoleProblems()).as("only the refused request, which the browser reports")
                    .allMatch(p -> p.contains("/api/v1/realms/devices/users") && p.contains("400"));
        }
        PubMosquitto.Result pub = PubMosquitto.run(broker, "mosquitto_pub", "-V", "mqttv5", "-i", "cc-new-user-pub",
                "-u", "cc-new-user", "-P", NEW_USER_PASSWORD, "-t", "cc/written/a", "-q", "1", "-m", "hello");
        assertThat(pub.exitCode()).as(pub.stderr()).isZero();
    }

    @Test
    void aDeniedPublish_showsInTheClientsRecentEvents_withTheDecidingRule() {
        Mqtt5AsyncClient real = sensor("cc-events-sensor");
        assertThat(Acks.pubAck(real, "plant/9/valve", 1, false)).isEqualTo(0x87);
        assertThat(Acks.pubAck(real, "plant/9/firmware/v2", 1, false)).isEqualTo(0x87);
        try (Browser b = Browser.open(adminPort)) {
            b.signIn("root", AdminSetup.PASSWORD);
            b.go("/#/clients/" + AdminClient.encode("cc-events-sensor"));
            WebElement byRule = b.shown(By.xpath("//table[@data-testid='client-events']"
                    + "//tr[@data-event='publish-denied'][contains(., 'plant/9/firmware/v2')]"));
            assertThat(byRule.getText()).contains("QoS 1").contains("not authorized to publish")
                    .contains("realm devices");
            assertThat(byRule.findElement(By.cssSelector("[data-testid='event-rule']")).getText())
                    .startsWith("Deciding rule: deny all plant/+/firmware/#")
                    .contains("realm 'devices', role 'sensors'").contains("devices.yaml line 11");
            WebElement byDefault = b.shown(By.xpath("//table[@data-testid='client-events']"
                    + "//tr[@data-event='publish-denied'][contains(., 'plant/9/valve')]"));
            assertThat(byDefault.findElement(By.cssSelector("[data-testid='event-rule']")).getText())
                    .isEqualTo("Deciding rule: none, default deny: no rule matched");
            assertThat(b.shown(By.cssSelector("[data-testid='client-events'] tr[data-event='connected']")).getText())
                    .contains("sensor-7");
            b.pageScreenshot("client-detail-events");
            assertThat(b.consoleProblems()).isEmpty();
        }
    }

    @Test
    void aRulesQosEditedOnThePage_decidesARealClientsPublishes_andAnInvalidRuleShowsItsMessageAtTheField() {
        AdminClient.Answer role = root().post("/api/v1/realms/devices/roles",
                "{\"name\": \"cc-qos\", \"permissions\": [{\"topic\": \"cc/qos/#\", \"activity\": \"publish\"}]}");
        assertThat(role.status()).as(role.body()).isEqualTo(201);
        AdminClient.Answer user = root().post("/api/v1/realms/devices/users", "{\"username\": \"cc-qos-user\", "
                + "\"password\": \"" + NEW_USER_PASSWORD + "\", \"roles\": [\"cc-qos\"]}");
        assertThat(user.status()).as(user.body()).isEqualTo(201);
        try (Browser b = Browser.open(adminPort)) {
            b.signIn("root", AdminSetup.PASSWORD);
            b.go("/#/security");
            selectRealm(b, "devices");
            b.shown(By.cssSelector("tr[data-role='cc-qos']"));
            b.testId("edit-role-cc-qos").click();
            WebElement qos2 = b.shown(By.id("r-edit-rule-0-qos-2"));
            assertThat(qos2.isSelected()).as("a rule without qos applies to every level").isTrue();
            qos2.click();
            b.driver().findElement(By.cssSelector("[data-testid='role-edit-form'] button[type='submit']")).click();
            assertThat(b.testId("status").getText()).contains("cc-qos");
            assertThat(b.shown(By.cssSelector("tr[data-role='cc-qos']")).getText())
                    .contains("allow publish cc/qos/#").contains("QoS 0, 1");

            b.testId("edit-role-cc-qos").click();
            b.testId("r-edit-add-topic-rule").click();
            b.shown(By.id("r-edit-rule-1-topic")).sendKeys("cc/#/bad");
            b.driver().findElement(By.cssSelector("[data-testid='role-edit-form'] button[type='submit']")).click();
            WebElement error = b.shown(By.cssSelector("tr[data-rule='1'] [data-testid='field-error']"));
            assertThat(error.getText()).startsWith("permissions[1].topic:").contains("#");
            assertThat(b.driver().findElement(By.id("r-edit-rule-1-topic")).getAttribute("aria-invalid"))
                    .isEqualTo("true");
            assertThat(b.present(By.cssSelector("[data-testid='error']"))).as("shown at the field only").isFalse();
            b.pageScreenshot("security-role-rule-editor");
            assertThat(b.consoleProblems()).as("only the refused request, which the browser reports")
                    .allMatch(p -> p.contains("/api/v1/realms/devices/roles/cc-qos") && p.contains("400"));
        }
        assertThat(root().get("/api/v1/realms/devices/roles/cc-qos").json().path("permissions").get(0).path("qos")
                .toString()).isEqualTo("[0,1]");
        Mqtt5AsyncClient real = clients.hive5(RawTransport.TCP, "cc-qos-client");
        assertThat(connect5(real, "cc-qos-user", NEW_USER_PASSWORD)).isZero();
        assertThat(Acks.pubAck(real, "cc/qos/a", 2, false)).as("QoS 2, no longer allowed").isEqualTo(0x87);
        assertThat(Acks.pubAck(real, "cc/qos/a", 1, false)).as("QoS 1").isZero();
    }

    @Test
    void adminPermissionsGivenOnThePage_letAnOperatorReadRealms_withoutEditControls_andTheApiRefusesTheEdit() {
        AdminClient.Answer role = root().post("/api/v1/realms/admins/roles", "{\"name\": \"cc-realm-readers\"}");
        assertThat(role.status()).as(role.body()).isEqualTo(201);
        AdminClient.Answer user = root().post("/api/v1/realms/admins/users", "{\"username\": \"cc-reader\", "
                + "\"password\": \"" + NEW_USER_PASSWORD + "\", \"roles\": [\"cc-realm-readers\"]}");
        assertThat(user.status()).as(user.body()).isEqualTo(201);
        AdminClient reader = AdminClient.http(adminPort).as("cc-reader", NEW_USER_PASSWORD);
        assertThat(reader.get("/api/v1/realms").status()).as("no admin permission yet").isEqualTo(403);
        try (Browser b = Browser.open(adminPort)) {
            b.signIn("root", AdminSetup.PASSWORD);
            b.go("/#/security");
            selectRealm(b, "admins");
            b.shown(By.cssSelector("tr[data-role='cc-realm-readers']"));
            b.testId("edit-role-cc-realm-readers").click();
            b.testId("r-edit-add-grant").click();
            b.shown(By.id("r-edit-grant-0-permissions")).sendKeys("users:read");
            b.driver().findElement(By.cssSelector("[data-testid='role-edit-form'] button[type='submit']")).click();
            assertThat(b.testId("status").getText()).contains("cc-realm-readers");
            assertThat(b.shown(By.cssSelector("tr[data-role='cc-realm-readers']")).getText())
                    .contains("Admin permissions: users:read");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> reader.get("/api/v1/realms").status() == 200);
        try (Browser b = Browser.open(adminPort)) {
            b.signIn("cc-reader", NEW_USER_PASSWORD);
            b.go("/#/security");
            selectRealm(b, "devices");
            assertThat(b.shown(By.cssSelector("tr[data-role='sensors']")).getText())
                    .contains("deny all plant/+/firmware/#");
            assertThat(b.shown(By.cssSelector("tr[data-user='sensor-7']")).getText()).contains("sensors");
            assertThat(b.present(By.cssSelector("[data-testid^='edit-']"))).as("no Edit buttons").isFalse();
            assertThat(b.present(By.cssSelector("[data-testid^='delete-']"))).as("no Delete buttons").isFalse();
            assertThat(b.present(By.cssSelector("[data-testid='role-form']"))).isFalse();
            assertThat(b.consoleProblems()).isEmpty();
        }
        assertThat(reader.put("/api/v1/realms/devices/roles/sensors", "{\"permissions\": []}").status())
                .isEqualTo(403);
    }

    private static PubMosquitto.Result publishAsSqlUser(int port) throws Exception {
        return PubMosquitto.runOn(port, "mosquitto_pub", "-V", "mqttv5", "-i", "cc-sql-pub", "-u", "cc-sql-user",
                "-P", NEW_USER_PASSWORD, "-t", "fleet/a", "-q", "1", "-m", "hello");
    }

    @Test
    void aSqlUserDisabledOnThePage_isRefused() throws Exception {
        AdminClient.Answer created = root().post("/api/v1/realms/fleet/users", "{\"username\": \"cc-sql-user\", "
                + "\"password\": \"" + NEW_USER_PASSWORD + "\", \"permissions\": [{\"topic\": \"fleet/#\"}]}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        int fleet = broker.port("fleet");
        PubMosquitto.Result before = publishAsSqlUser(fleet);
        assertThat(before.exitCode()).as(before.stderr()).isZero();
        try (Browser b = Browser.open(adminPort)) {
            b.signIn("root", AdminSetup.PASSWORD);
            b.go("/#/security");
            selectRealm(b, "fleet");
            b.shown(By.cssSelector("tr[data-user='cc-sql-user']"));
            b.testId("edit-user-cc-sql-user").click();
            WebElement enabled = b.shown(By.id("u-edit-enabled"));
            assertThat(enabled.isSelected()).isTrue();
            assertThat(b.driver().findElement(By.id("u-edit-rule-0-topic")).getAttribute("value")).isEqualTo("fleet/#");
            enabled.click();
            b.driver().findElement(By.cssSelector("[data-testid='user-edit-form'] button[type='submit']")).click();
            assertThat(b.testId("status").getText()).contains("cc-sql-user");
            assertThat(b.shown(By.cssSelector("tr[data-user='cc-sql-user']")).getText()).contains("disabled");
            b.pageScreenshot("security-sql-user-disabled");
            assertThat(b.consoleProblems()).isEmpty();
        }
        assertThat(root().get("/api/v1/realms/fleet/users/cc-sql-user").json().path("enabled").asBoolean()).isFalse();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                publishAsSqlUser(fleet).exitCode() == 0x86);
    }
}
