package io.rampart.admin.http;

import io.netty.handler.codec.http.HttpHeaders;

import java.net.InetSocketAddress;
import java.util.Map;

/**
 * One HTTP request to an admin listener, read in full and detached from the channel (its body copied), so it can
 * be handled off the event loop.
 *
 * @param method    upper case
 * @param uri       as sent: raw path and query
 * @param headers   a copy of the request headers
 * @param body      the body bytes (at most the body limit)
 * @param remote    the caller's address
 * @param secure    whether the listener speaks HTTPS
 * @param tls       on HTTPS the protocol, cipher and client-certificate fields, else empty
 * @param listener  the admin listener's name
 * @param requestId random id, echoed in {@code X-Request-Id} and the audit log
 */
public record HttpCall(String method, String uri, HttpHeaders headers, byte[] body, InetSocketAddress remote,
                       boolean secure, Map<String, String> tls, String listener, String requestId) {

    public HttpCall {
        tls = tls == null ? Map.of() : Map.copyOf(tls);
        body = body == null ? new byte[0] : body;
    }

    /** The caller's IP address as text, or {@code -}. */
    public String address() {
        return remote == null || remote.getAddress() == null ? "-" : remote.getAddress().getHostAddress();
    }

    @Override
    public String toString() {
        return method + " " + uri;
    }
}
