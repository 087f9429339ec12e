package io.rampart.admin.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PathCodecTest {

    private static String topic(String raw) {
        return PathCodec.topic(raw, 65_535, 128);
    }

    @Test
    void decodesExactlyOnce_andEncodedSlashSeparatesLevels() {
        assertThat(topic("a/b%2Fc")).isEqualTo("a/b/c");
        assertThat(topic("a%252Fb")).isEqualTo("a%2Fb");
        assertThat(topic("caf%C3%A9")).isEqualTo("café");
        assertThat(topic("a/../b")).as("never normalized").isEqualTo("a/../b");
        assertThat(topic("a/%2E%2E/b")).isEqualTo("a/../b");
        assertThat(PathCodec.decode("a+b")).as("+ is not a space in a path").isEqualTo("a+b");
    }

    @Test
    void wildcardsNulAndBrokenEscapes_areRefused() {
        assertThatThrownBy(() -> topic("a/%23")).isInstanceOf(ApiException.class).hasMessageContaining("'#'");
        assertThatThrownBy(() -> topic("a/+/b")).hasMessageContaining("'+'");
        assertThatThrownBy(() -> topic("a%2B")).hasMessageContaining("'+'");
        assertThatThrownBy(() -> topic("a%00b")).hasMessageContaining("not a topic name");
        assertThatThrownBy(() -> topic("a%2")).hasMessageContaining("malformed percent-encoding");
        assertThatThrownBy(() -> topic("a%zz")).hasMessageContaining("malformed percent-encoding");
        assertThatThrownBy(() -> topic("%C3%28")).hasMessageContaining("not valid UTF-8");
        assertThatThrownBy(() -> PathCodec.clientId("a%00")).hasMessageContaining("NUL");
        assertThat(PathCodec.clientId("site-a%2Fpump")).isEqualTo("site-a/pump");
    }

    @Test
    void query_isDecodedOnce_keepsPlus_andRefusesRepeats() {
        assertThat(ApiRouter.parseQuery("filter=a/%2B/b&limit=5")).containsEntry("filter", "a/+/b").containsEntry("limit", "5");
        assertThat(ApiRouter.parseQuery("filter=a/+/b")).containsEntry("filter", "a/+/b");
        assertThat(ApiRouter.parseQuery("flag")).containsEntry("flag", "");
        assertThatThrownBy(() -> ApiRouter.parseQuery("a=1&a=2")).hasMessageContaining("given more than once: a");
    }

    @Test
    void routeTemplates_matchSegments_andRestOfPath() {
        Route one = Route.sync("GET", "/api/v1/clients/{id}", "x", null, false, r -> null);
        assertThat(one.match("/api/v1/clients/a%2Fb")).containsEntry("id", "a%2Fb");
        assertThat(one.match("/api/v1/clients/")).isNull();
        assertThat(one.match("/api/v1/clients/a/b")).isNull();
        Route rest = Route.sync("GET", "/api/v1/retained/{topic+}", "x", null, false, r -> null);
        assertThat(rest.match("/api/v1/retained/a/b/c")).containsEntry("topic", "a/b/c");
        assertThat(rest.match("/api/v1/retained/")).isNull();
        assertThat(rest.match("/api/v1/retained")).isNull();
    }
}
