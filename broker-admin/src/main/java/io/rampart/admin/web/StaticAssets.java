package io.rampart.admin.web;

import io.rampart.admin.http.HttpAnswer;
import io.rampart.admin.http.HttpCall;
import io.rampart.admin.http.Problem;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The Control Center's files, served from the JAR by the admin listeners: {@code /} is the page, {@code /app/...}
 * its modules and styles ({@code control-center/} in the JAR; revalidated with an ETag), {@code /webjars/...} the
 * libraries it uses (WebJars, versioned paths, cached as immutable). Every answer carries the page's
 * Content-Security-Policy ({@link #PAGE_CSP}).
 *
 * <p>A path must consist of plain names ({@code [A-Za-z0-9_-]} first, then also {@code .} and {@code @}); nothing
 * is percent-decoded, so {@code ..}, {@code %2e}, backslashes and empty segments never reach the class path. Only
 * regular files with a known type are served, never a directory listing.
 */
public final class StaticAssets {

    /** No inline script or style, nothing from other origins, no framing; Trusted Types for the DOM sinks. */
    public static final String PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; font-src 'self'; manifest-src 'self'; frame-ancestors 'none'; base-uri 'none';"
            + " form-action 'self'; require-trusted-types-for 'script'; trusted-types lit-html";
    static final String APP_ROOT = "control-center/";
    static final String WEBJARS_ROOT = "META-INF/resources/webjars/";
    /** The WebJars the page may load; nothing else under {@code /webjars/} is served. */
    static final List<String> WEBJARS = List.of("lit-html", "uplot");
    private static final Pattern SAFE_PATH = Pattern.compile("(/[A-Za-z0-9_-][A-Za-z0-9_.@-]{0,127}){1,12}");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "json", "application/json; charset=utf-8",
            "map", "application/json; charset=utf-8",
            "woff2", "font/woff2");

    private final ClassLoader loader;
    private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();

    private record Asset(byte[] body, String contentType, String etag) {
    }

    public StaticAssets() {
        this(StaticAssets.class.getClassLoader());
    }

    StaticAssets(ClassLoader loader) {
        this.loader = loader;
    }

    /** Whether {@code path} belongs to the Control Center (else it is not answered here). */
    public static boolean handles(String path) {
        return path.equals("/") || path.equals("/index.html") || path.startsWith("/app/")
                || path.startsWith("/webjars/");
    }

    /** The answer to a request for {@code path} ({@link #handles} is true). */
    public HttpAnswer answer(HttpCall call, String path) {
        if (!call.method().equals("GET") && !call.method().equals("HEAD")) {
            return page(Problem.of(405, "only GET is allowed here", call.requestId()).with("Allow", "GET, HEAD"));
        }
        String resource = resource(path);
        Optional<Asset> asset = resource == null ? Optional.empty() : cached(resource);
        if (asset.isEmpty()) {
            return page(Problem.of(404, "no such file: " + printable(path), call.requestId()));
        }
        Asset a = asset.get();
        boolean immutable = resource.startsWith(WEBJARS_ROOT);
        String cacheControl = immutable ? "public, max-age=31536000, immutable" : "no-cache";
        String presented = call.headers().get("If-None-Match");
        if (presented != null && presented.contains(a.etag())) {
            return page(HttpAnswer.empty(304).with("ETag", a.etag()).with("Cache-Control", cacheControl));
        }
        return page(new HttpAnswer(200, a.contentType(), a.body(), List.of()).with("ETag", a.etag())
                .with("Cache-Control", cacheControl));
    }

    private static HttpAnswer page(HttpAnswer answer) {
        return answer.with("Content-Security-Policy", PAGE_CSP);
    }

    /** The class-path resource of a request path, or {@code null} when the path is not one that may be served. */
    static String resource(String path) {
        if (path.equals("/") || path.equals("/index.html")) {
            return APP_ROOT + "index.html";
        }
        if (!SAFE_PATH.matcher(path).matches()) {
            return null;
        }
        if (path.startsWith("/app/")) {
            return APP_ROOT + path.substring("/app/".length());
        }
        String rest = path.substring("/webjars/".length());
        int slash = rest.indexOf('/');
        if (slash < 0 || !WEBJARS.contains(rest.substring(0, slash))) {
            return null;
        }
        return WEBJARS_ROOT + rest;
    }

    /** Files found are kept (they never change while the broker runs); misses are not, so they cannot pile up. */
    private Optional<Asset> cached(String resource) {
        Optional<Asset> known = cache.get(resource);
        if (known != null) {
            return known;
        }
        Optional<Asset> loaded = load(resource);
        if (loaded.isPresent()) {
            cache.put(resource, loaded);
        }
        return loaded;
    }

    private Optional<Asset> load(String resource) {
        String name = resource.substring(resource.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        String type = dot < 0 ? null : TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
        URL url = loader.getResource(resource);
        if (type == null || url == null || !isRegularFile(url)) {
            return Optional.empty();
        }
        try (InputStream in = url.openStream()) {
            byte[] body = in.readAllBytes();
            return Optional.of(new Asset(body, type, etag(body)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    private static boolean isRegularFile(URL url) {
        try {
            if (url.getProtocol().equals("file")) {
                return Files.isRegularFile(Path.of(url.toURI()));
            }
            URLConnection c = url.openConnection();
            if (c instanceof JarURLConnection jar) {
                return jar.getJarEntry() != null && !jar.getJarEntry().isDirectory();
            }
            return false;
        } catch (IOException | URISyntaxException | IllegalArgumentException e) {
            return false;
        }
    }

    private static String etag(byte[] body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String printable(String path) {
        String cut = path.length() > 100 ? path.substring(0, 100) : path;
        return cut.replaceAll("[^\\x21-\\x7e]", "?");
    }
}
