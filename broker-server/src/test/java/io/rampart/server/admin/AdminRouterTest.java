package io.rampart.server.admin;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class AdminRouterTest {

    private static String body(AdminResponse r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void routes_byExactPathOrPrefix_with404And405() {
        AtomicReference<String> rest = new AtomicReference<>();
        AdminRouter router = AdminRouter.builder()
                .get("/metrics", r -> AdminResponse.text(200, "m"))
                .prefix("PUT", "/loggers/", r -> {
                    rest.set(r.rest());
                    return AdminResponse.json(200, "{}");
                })
                .build();
        assertThat(router.route("GET", "/metrics?x=1", "").status()).isEqualTo(200);
        assertThat(router.route("HEAD", "/metrics", "").status()).isEqualTo(200);
        assertThat(router.route("POST", "/metrics", "").status()).isEqualTo(405);
        assertThat(router.route("GET", "/metricsx", "").status()).isEqualTo(404);
        assertThat(router.route("PUT", "/loggers/", "").status()).isEqualTo(404);
        assertThat(router.route("PUT", "/loggers/io.rampart", "DEBUG").status()).isEqualTo(200);
        assertThat(rest.get()).isEqualTo("io.rampart");
    }

    @Test
    void failingEndpoint_answers500WithoutDetails() {
        AdminRouter router = AdminRouter.builder().get("/boom", r -> {
            throw new IllegalStateException("secret detail");
        }).build();
        AdminResponse r = router.route("GET", "/boom", "");
        assertThat(r.status()).isEqualTo(500);
        assertThat(body(r)).doesNotContain("secret detail");
    }

    @Test
    void ready_listsEveryReasonAsJson_andIsUpWithoutReasons() {
        AdminResponse down = HealthEndpoints.ready(() -> List.of("realm 'ldap' unavailable: connection \"refused\"",
                "listener 'tcp' is not bound")).handle(new AdminRequest("GET", "/health/ready", "", ""));
        assertThat(down.status()).isEqualTo(503);
        assertThat(body(down)).isEqualTo("{\"status\":\"DOWN\",\"reasons\":[\"realm 'ldap' unavailable: connection"
                + " \\\"refused\\\"\",\"listener 'tcp' is not bound\"]}\n");
        AdminResponse up = HealthEndpoints.ready(List::of).handle(new AdminRequest("GET", "/health/ready", "", ""));
        assertThat(up.status()).isEqualTo(200);
        assertThat(body(up)).isEqualTo("{\"status\":\"UP\"}\n");
    }
}
