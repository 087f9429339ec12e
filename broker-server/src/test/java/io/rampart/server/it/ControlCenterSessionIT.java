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
 * The Control Center's session in a real browser: a user whose password must be changed (the first-run admin) may
 * do nothing but change it (the API refuses everything else, the Control Center asks for the new password before it
 * shows any page); an idle session warns before it ends and can be kept.
 */
class ControlCenterSessionIT {

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

    @Test
    void anIdleSession_warnsBeforeItEnds_andStaysWhenAsked() throws Exception {
        try (TestBroker broker = AdminSetup.in(dir).admin("sessions: {idle-timeout: 15s}").start();
             Browser b = Browser.open(broker.port(AdminSetup.ADMIN_LISTENER))) {
            b.signIn("vera", AdminSetup.PASSWORD);
            assertThat(b.testId("idle-warning").getText()).contains("signed out in");
            b.screenshot("idle-warning");
            b.testId("stay-signed-in").click();
            org.awaitility.Awaitility.await().atMost(Browser.WAIT)
                    .until(() -> !b.present(By.cssSelector("[data-testid='idle-warning']")));
            b.testId("idle-warning");
            org.awaitility.Awaitility.await().atMost(Browser.WAIT)
                    .until(() -> b.present(By.cssSelector("[data-testid='sign-in-form']")));
            assertThat(b.driver().getPageSource()).contains("inactivity");
        }
    }
}
