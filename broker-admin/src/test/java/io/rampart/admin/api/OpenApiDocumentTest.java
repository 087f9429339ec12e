package io.rampart.admin.api;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/openapi.yaml (parsed by swagger-parser) and the route table describe the same API: every route is
 * documented with the permission it needs, and every documented operation exists. Health is answered outside the
 * route table and is documented too.
 */
class OpenApiDocumentTest {

    private static final Path DOCUMENT = Path.of("..", "docs", "openapi.yaml");

    private static OpenAPI parse() throws Exception {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(Files.readString(DOCUMENT), null, options);
        assertThat(result.getMessages()).as("parser messages").isEmpty();
        assertThat(result.getOpenAPI().getOpenapi()).startsWith("3.1");
        return result.getOpenAPI();
    }

    /** "GET /api/v1/clients/{id}" → the permission it needs ("-" for none). */
    private static Map<String, String> documented(OpenAPI api) {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, PathItem> e : api.getPaths().entrySet()) {
            for (Map.Entry<PathItem.HttpMethod, Operation> op : e.getValue().readOperationsMap().entrySet()) {
                Object permission = op.getValue().getExtensions() == null ? null
                        : op.getValue().getExtensions().get("x-rampart-permission");
                out.put(op.getKey() + " " + e.getKey(), permission == null ? "-" : permission.toString());
            }
        }
        return out;
    }

    private static Map<String, String> routed() {
        Map<String, String> out = new TreeMap<>();
        for (Route r : ApiRoutes.all(null, listener -> null)) {
            String template = r.template().replaceAll("\\{([^}+]+)\\+}", "{$1}");
            out.put(r.method() + " " + template, r.permission() == null ? "-" : r.permission().id());
        }
        out.put("GET /health/live", "-");
        out.put("GET /health/ready", "-");
        return out;
    }

    @Test
    void documentAndRoutes_agreeInBothDirections_includingPermissions() throws Exception {
        Map<String, String> documented = documented(parse());
        Map<String, String> routed = routed();
        TreeSet<String> undocumented = new TreeSet<>(routed.keySet());
        undocumented.removeAll(documented.keySet());
        TreeSet<String> unrouted = new TreeSet<>(documented.keySet());
        unrouted.removeAll(routed.keySet());
        assertThat(undocumented).as("routes missing from docs/openapi.yaml").isEmpty();
        assertThat(unrouted).as("documented operations without a route").isEmpty();
        assertThat(documented).isEqualTo(routed);
    }

    @Test
    void everyOperation_hasAnIdAndDocumentsItsErrors() throws Exception {
        OpenAPI api = parse();
        for (Map.Entry<String, PathItem> e : api.getPaths().entrySet()) {
            for (Map.Entry<PathItem.HttpMethod, Operation> op : e.getValue().readOperationsMap().entrySet()) {
                Operation o = op.getValue();
                assertThat(o.getOperationId()).as(op.getKey() + " " + e.getKey()).isNotBlank();
                boolean open = o.getSecurity() != null && o.getSecurity().isEmpty();
                if (!open) {
                    assertThat(o.getResponses()).as(op.getKey() + " " + e.getKey()).containsKey("401");
                }
            }
        }
    }

    @Test
    void theServedDocument_isTheOneInDocs() throws Exception {
        try (var in = OpenApiEndpoint.class.getResourceAsStream(OpenApiEndpoint.RESOURCE)) {
            assertThat(in).isNotNull();
            assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo(Files.readString(DOCUMENT));
        }
    }
}
