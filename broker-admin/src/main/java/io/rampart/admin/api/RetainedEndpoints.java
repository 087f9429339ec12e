package io.rampart.admin.api;

import io.rampart.admin.AdminServices;
import io.rampart.admin.http.HttpAnswer;
import io.rampart.admin.rbac.AdminPermission;
import io.rampart.core.message.Message;
import io.rampart.core.message.MessageProperties;
import io.rampart.core.message.UserProperty;
import io.rampart.core.topic.Topics;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code /retained}: list by filter (topic order, cursor paging), one message by topic, delete. Payload and user
 * properties only with {@code data:payload} for that topic (and that read is audited); otherwise size and SHA-256.
 * Topics in the path are decoded once: {@code %2F} separates levels, {@code +}, {@code #} and NUL are refused.
 */
final class RetainedEndpoints {

    private final AdminServices s;

    RetainedEndpoints(AdminServices services) {
        this.s = services;
    }

    List<Route> routes() {
        return List.of(
                Route.sync("GET", "/api/v1/retained", "retained.list", AdminPermission.RETAINED_READ, false, this::list),
                Route.sync("GET", "/api/v1/retained/{topic+}", "retained.get", AdminPermission.RETAINED_READ, false,
                        this::get),
                Route.sync("DELETE", "/api/v1/retained/{topic+}", "retained.delete", AdminPermission.RETAINED_DELETE,
                        false, this::delete));
    }

    private HttpAnswer list(ApiRequest r) {
        r.allowQuery("filter", "limit", "cursor");
        int limit = Paging.limit(r.query("limit"));
        String after = Paging.decode(r.query("cursor"));
        String filter = r.query("filter") == null ? "#" : r.query("filter");
        String problem = Topics.validateTopicFilter(filter, s.limits().maxTopicLength(), s.limits().maxTopicLevels());
        if (problem != null || Topics.isShared(filter)) {
            throw new ApiException(400, "filter: " + (problem != null ? problem : "must not be a shared subscription"),
                    List.of("filter"), null);
        }
        // Only the next page's worth is kept: a bounded sorted window, never all matches.
        TreeMap<String, Message> window = new TreeMap<>();
        s.retained().match(filter, m -> {
            String topic = m.topic();
            if (after != null && topic.compareTo(after) <= 0 || !r.mayOnTopic(AdminPermission.RETAINED_READ, topic)) {
                return;
            }
            window.put(topic, m);
            if (window.size() > limit + 1) {
                window.pollLastEntry();
            }
        });
        List<Map<String, Object>> items = new ArrayList<>();
        String last = null;
        boolean more = window.size() > limit;
        for (Message m : window.values()) {
            if (items.size() == limit) {
                break;
            }
            items.add(view(r, m));
            last = m.topic();
        }
        return ApiJson.page(items, more ? last : null);
    }

    private HttpAnswer get(ApiRequest r) {
        r.allowQuery();
        String topic = PathCodec.topic(r.rawPathParam("topic"), s.limits().maxTopicLength(), s.limits().maxTopicLevels());
        r.audit().target("topic:" + topic);
        boolean inScope = r.mayOnTopic(AdminPermission.RETAINED_READ, topic);
        Message m = inScope ? s.retained().get(topic) : null;
        if (m == null) {
            throw ApiException.notFound("no retained message on " + topic, !inScope);
        }
        return ApiJson.answer(200, view(r, m));
    }

    private HttpAnswer delete(ApiRequest r) {
        r.allowQuery();
        String topic = PathCodec.topic(r.rawPathParam("topic"), s.limits().maxTopicLength(), s.limits().maxTopicLevels());
        r.audit().target("topic:" + topic);
        boolean inScope = r.mayOnTopic(AdminPermission.RETAINED_DELETE, topic);
        Message m = inScope ? s.retained().get(topic) : null;
        if (m == null) {
            throw ApiException.notFound("no retained message on " + topic, !inScope);
        }
        r.audit().change(ApiJson.text(Map.of("topic", topic, "payloadSize", m.payload().length,
                "payloadSha256", sha256(m.payload()))), null);
        if (!s.retained().delete(topic)) {
            throw ApiException.notFound("no retained message on " + topic, false);
        }
        return HttpAnswer.empty(204);
    }

    private Map<String, Object> view(ApiRequest r, Message m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("topic", m.topic());
        out.put("qos", m.qos());
        out.put("payloadSize", m.payload().length);
        out.put("payloadSha256", sha256(m.payload()));
        MessageProperties p = m.properties() == null ? MessageProperties.NONE : m.properties();
        out.put("contentType", p.contentType());
        out.put("payloadFormatIndicator", p.payloadFormatIndicator());
        if (r.mayOnTopic(AdminPermission.DATA_PAYLOAD, m.topic())) {
            r.audit().sensitive();
            out.put("payloadBase64", Base64.getEncoder().encodeToString(m.payload()));
            out.put("payloadUtf8", utf8(m.payload()));
            out.put("responseTopic", p.responseTopic());
            out.put("correlationDataBase64", p.correlationData() == null ? null
                    : Base64.getEncoder().encodeToString(p.correlationData()));
            List<Map<String, String>> props = new ArrayList<>();
            for (UserProperty u : p.userProperties()) {
                props.add(Map.of("name", u.name(), "value", u.value()));
            }
            out.put("userProperties", props);
        }
        return out;
    }

    private static String utf8(byte[] payload) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
