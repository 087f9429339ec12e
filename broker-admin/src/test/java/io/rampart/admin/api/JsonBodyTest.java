package io.rampart.admin.api;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonBodyTest {

    private static JsonBody parse(String json) {
        return JsonBody.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void malformedJson_namesLineAndColumn() {
        assertThatThrownBy(() -> parse("{\n  \"a\": 1,\n  \"b\" 2\n}")).isInstanceOf(ApiException.class)
                .hasMessageStartingWith("malformed JSON at line 3, column");
        assertThatThrownBy(() -> parse("{\"a\":1} {")).hasMessageContaining("content after the JSON value");
        assertThatThrownBy(() -> parse("[1]")).hasMessage("the request body must be a JSON object");
        assertThatThrownBy(() -> parse("")).hasMessageContaining("a JSON object is required");
        assertThatThrownBy(() -> parse("{\"a\":1,\"a\":2}")).hasMessageContaining("duplicate");
    }

    @Test
    void unknownFields_areAllNamed() {
        ApiException e = (ApiException) org.assertj.core.api.Assertions.catchThrowable(() ->
                parse("{\"kind\":\"x\",\"colour\":1,\"size\":2}").allow(List.of("kind", "value")));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).isEqualTo("unknown fields colour, size (allowed: kind, value)");
        assertThat(e.fields()).containsExactly("colour", "size");
    }

    @Test
    void typedAccess() {
        JsonBody b = parse("{\"s\":\"x\",\"n\":1,\"l\":[\"a\",\"b\"]}");
        assertThat(b.string("s")).isEqualTo("x");
        assertThat(b.strings("l")).containsExactly("a", "b");
        assertThat(b.string("missing")).isNull();
        assertThatThrownBy(() -> b.string("n")).hasMessage("field n must be a string");
        assertThatThrownBy(() -> b.requiredString("missing")).hasMessage("field missing is required");
    }
}
