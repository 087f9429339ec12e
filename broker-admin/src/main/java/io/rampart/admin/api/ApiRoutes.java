package io.rampart.admin.api;

import io.rampart.admin.AdminServices;
import io.rampart.admin.rbac.AdminPermission;
import io.rampart.security.pipeline.SecurityPipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Every operation of the admin API, in one table (the OpenAPI document must list exactly these). */
public final class ApiRoutes {

    private ApiRoutes() {
    }

    /**
     * @param pipelines the security pipeline of an admin listener by listener name
     */
    public static List<Route> all(AdminServices services, Function<String, SecurityPipeline> pipelines) {
        List<Route> routes = new ArrayList<>();
        routes.addAll(new SessionEndpoints(services, pipelines::apply).routes());
        routes.addAll(new ClientEndpoints(services).routes());
        routes.addAll(new ClientEventEndpoints(services).routes());
        routes.addAll(new SubscriptionEndpoints(services).routes());
        routes.addAll(new RetainedEndpoints(services).routes());
        routes.addAll(new BanEndpoints(services).routes());
        routes.addAll(new TokenEndpoints(services).routes());
        routes.addAll(new RealmEndpoints(services).routes());
        routes.addAll(new PolicyEndpoints(services).routes());
        routes.addAll(new ConfigEndpoints(services).routes());
        routes.addAll(new LoggerEndpoints().routes());
        routes.addAll(new InsightEndpoints(services).routes());
        routes.addAll(new EventEndpoints(services).routes());
        routes.addAll(new OidcEndpoints(services).routes());
        routes.addAll(new TraceEndpoints(services).routes());
        routes.addAll(new DetectionEndpoints(services).routes());
        routes.addAll(new TopicEndpoints(services).routes());
        routes.addAll(new OpenApiEndpoint().routes());
        // Outside /api/v1, reached here only when the caller is not let in without credentials (admin.metrics-access).
        routes.add(Route.sync("GET", "/metrics", "metrics.scrape", AdminPermission.METRICS_READ, false, r -> {
            r.allowQuery();
            return new io.rampart.admin.http.HttpAnswer(200, "text/plain; version=0.0.4; charset=utf-8",
                    services.control().prometheusScrape().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    List.of());
        }));
        return routes;
    }
}
