package io.rampart.server.it;

import io.rampart.server.it.support.AdminClient;
import io.rampart.server.it.support.AdminSetup;
import io.rampart.server.it.support.Browser;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A user whose password must be changed (the first-run admin) may do nothing but change it: the API refuses
 * everything else, and the Control Center asks for the new password before it shows any page.
 */
class ControlCenterFirstSignInIT {

    @TempDir
    Path dir;

    @Test
    void aFlaggedUser_mustChangeItsPassword_beforeAnythingElse() throws Exception {
        AdminSetup setup = AdminSetup.in(dir);
        Files.createDirectories(setup.dataDir().resolve("admin"));
        Files.writeString(setup.dataDir().resolve("admin").resolve("state.json"),
                "{\"mustChangePassword\": [\"admins/root\"]}");
        try (TestBroker broker = setup.start()) {
            int port = broker.port(AdminSetup.ADMIN_LISTENER);
            AdminClient root = AdminClient.http(port).as("root");
            AdminClient.Answer refused = root.get("/api/v1/clients");
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.detail()).contains("must be changed first");
            assertThat(root.get("/api/v1/whoami").json().path("mustChangePassword").asBoolean()).isTrue();

            try (Browser b = Browser.open(port)) {
                b.go("/");
                b.shown(By.id("username")).sendKeys("root");
                b.driver().findElement(By.id("password")).sendKeys(AdminSetup.PASSWORD);
                b.testId("sign-in").click();
                b.testId("change-password-form");
                assertThat(b.present(By.cssSelector("nav.side"))).isFalse();
                b.screenshot("first-sign-in");
                b.driver().findElement(By.id("current")).sendKeys(AdminSetup.PASSWORD);
                b.driver().findElement(By.id("next")).sendKeys("a-brand-new-password");
                b.driver().findElement(By.id("again")).sendKeys("a-brand-new-password");
                b.testId("change-password").click();
                b.shown(By.cssSelector("nav.side"));
                assertThat(b.consoleProblems()).isEmpty();
            }
            AdminClient renewed = AdminClient.http(port).as("root", "a-brand-new-password");
            assertThat(renewed.get("/api/v1/clients").status()).isEqualTo(200);
        }
    }
}
