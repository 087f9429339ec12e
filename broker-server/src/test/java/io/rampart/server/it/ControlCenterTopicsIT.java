package io.rampart.server.it;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.rampart.server.it.support.AdminSetup;
import io.rampart.server.it.support.Browser;
import io.rampart.server.it.support.Clients;
import io.rampart.server.it.support.PubMosquitto;
import io.rampart.server.it.support.TestBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

import java.nio.file.Path;

import static io.rampart.server.it.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Control Center's Topics page in a real browser: a viewer sees the hot topic first, its topic level and the
 * filter with the most subscribers, switches the order, and nothing goes to the console; a user without
 * {@code insights:read} has no Topics page.
 */
class ControlCenterTopicsIT {

    @TempDir
    Path dir;

    @Test
    void theTopicsPage_showsTheHotTopicFirst_toAViewer_andIsHiddenWithoutInsightsRead() throws Exception {
        try (TestBroker broker = AdminSetup.in(dir).sections("insights: {topics: {interval: 1s, window: 10m}}\n")
                .start(); Clients clients = new Clients(broker)) {
            Mqtt5AsyncClient watcher = TraceRecordingIT.device(clients, "watch-1", "device-2");
            await(watcher.subscribeWith().topicFilter(TopicInsightsIT.HOT).qos(MqttQos.AT_LEAST_ONCE).callback(p -> {
            }).send());
            Mqtt5AsyncClient fleet = TraceRecordingIT.device(clients, "fleet-1", "device-1");
            for (int i = 0; i < 50; i++) {
                TraceRecordingIT.publish(fleet, "fleet/sensor-" + i + "/state", "ok");
            }
            PubMosquitto.Result hot = PubMosquitto.run(broker, "mosquitto_pub", "-i", "boiler-1", "-u", "device-1",
                    "-P", AdminSetup.PASSWORD, "-q", "1", "-t", TopicInsightsIT.HOT, "-m", "4.2 bar", "--repeat",
                    "200");
            assertThat(hot.exitCode()).isZero();

            int port = broker.port(AdminSetup.ADMIN_LISTENER);
            try (Browser b = Browser.open(port)) {
                b.signIn("vera", AdminSetup.PASSWORD);
                b.testId("nav-topics").click();
                b.shown(By.cssSelector("nav.side a[aria-current='page'][data-testid='nav-topics']"));
                await().atMost(Browser.WAIT).until(() -> b.present(By.cssSelector(
                        "[data-testid='topic-list'] tbody tr:first-child td:first-child"))
                        && b.shown(By.cssSelector("[data-testid='topic-list'] tbody tr:first-child td:first-child"))
                        .getText().equals(TopicInsightsIT.HOT));
                assertThat(b.shown(By.cssSelector("[data-testid='level-list'] tbody tr:first-child td:first-child"))
                        .getText()).isIn("plant", "plant/boiler");
                assertThat(b.shown(By.cssSelector("[data-testid='filter-list'] tbody tr:first-child")).getText())
                        .contains(TopicInsightsIT.HOT);
                b.pageScreenshot("topics");

                new Select(b.testId("topics-by")).selectByValue("messages-out");
                await().atMost(Browser.WAIT).until(() -> b.shown(By.cssSelector(
                        "[data-testid='topic-list'] tbody tr:first-child td:first-child")).getText()
                        .equals(TopicInsightsIT.HOT) && b.all(By.cssSelector("[data-testid='topic-list'] tbody tr"))
                        .size() == 1);
                assertThat(b.consoleProblems()).isEmpty();
            }
            try (Browser b = Browser.open(port)) {
                b.signIn("nobody", AdminSetup.PASSWORD);
                b.shown(By.cssSelector("main h1"));
                assertThat(b.present(By.cssSelector("[data-testid='nav-topics']"))).isFalse();
                assertThat(b.consoleProblems()).isEmpty();
            }
        }
    }
}
