package io.rampart.admin.api;

import io.rampart.admin.http.HttpAnswer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** {@code GET /api/v1/openapi.yaml}: the OpenAPI 3.1 description of this API ({@code docs/openapi.yaml}). */
final class OpenApiEndpoint {

    static final String RESOURCE = "openapi.yaml";

    private final byte[] document;

    OpenApiEndpoint() {
        try (InputStream in = OpenApiEndpoint.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the OpenAPI document is missing from the JAR");
            }
            document = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<Route> routes() {
        return List.of(Route.sync("GET", "/api/v1/openapi.yaml", "openapi.get", null, true, r -> {
            r.allowQuery();
            return new HttpAnswer(200, HttpAnswer.YAML, document, List.of());
        }));
    }
}
