package io.rampart.admin.api;

import io.rampart.admin.http.HttpAnswer;
import io.rampart.admin.rbac.AdminPermission;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One operation of the API: method, path template ({@code /api/v1/clients/{id}}; a last segment {@code {name+}}
 * takes the rest of the path), the action name the audit log uses, and the permission a caller needs at all
 * ({@code null}: any authenticated caller; scopes are checked by the handler, per object).
 *
 * @param open whether the operation needs no authentication (login, the OpenAPI document)
 */
public record Route(String method, String template, String action, AdminPermission permission, boolean open,
                    Handler handler) {

    /** Handles one request (off the event loop); may finish later, e.g. after a realm answered. */
    @FunctionalInterface
    public interface Handler {
        CompletionStage<HttpAnswer> handle(ApiRequest request);
    }

    /** A handler that answers at once. */
    @FunctionalInterface
    public interface SyncHandler {
        HttpAnswer handle(ApiRequest request);
    }

    /** A route whose handler answers at once. */
    public static Route sync(String method, String template, String action, AdminPermission permission, boolean open,
                             SyncHandler handler) {
        return new Route(method, template, action, permission, open,
                request -> CompletableFuture.completedFuture(handler.handle(request)));
    }

    List<String> segments() {
        return List.of(template.substring(1).split("/", -1));
    }

    /** The raw (undecoded) path parameters when {@code rawPath} fits the template, else {@code null}. */
    Map<String, String> match(String rawPath) {
        if (!rawPath.startsWith("/")) {
            return null;
        }
        String[] parts = rawPath.substring(1).split("/", -1);
        List<String> t = segments();
        Map<String, String> params = new java.util.LinkedHashMap<>();
        for (int i = 0; i < t.size(); i++) {
            String seg = t.get(i);
            if (seg.startsWith("{") && seg.endsWith("+}")) {
                if (i >= parts.length) {
                    return null;
                }
                String rest = String.join("/", java.util.Arrays.copyOfRange(parts, i, parts.length));
                if (rest.isEmpty()) {
                    return null;
                }
                params.put(seg.substring(1, seg.length() - 2), rest);
                return params;
            }
            if (i >= parts.length) {
                return null;
            }
            if (seg.startsWith("{") && seg.endsWith("}")) {
                if (parts[i].isEmpty()) {
                    return null;
                }
                params.put(seg.substring(1, seg.length() - 1), parts[i]);
            } else if (!seg.equals(parts[i])) {
                return null;
            }
        }
        return parts.length == t.size() ? params : null;
    }
}
