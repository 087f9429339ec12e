package io.rampart.admin.web;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.rampart.admin.http.HttpAnswer;
import io.rampart.admin.http.HttpCall;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Control Center's files: served with their types, the page CSP, ETags or immutable caching; nothing outside
 * the two roots, no directory, no path trick; and every module or library the page imports exists (so the versions
 * in the modules and the POM agree).
 */
class StaticAssetsTest {

    private final StaticAssets assets = new StaticAssets();

    private static HttpCall get(String path, String... headers) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i], headers[i + 1]);
        }
        return new HttpCall("GET", path, h, null, null, false, Map.of(), "admin", "r1");
    }

    private static String header(HttpAnswer a, String name) {
        return a.headers().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                .reduce((x, y) -> y).orElse(null);
    }

    private HttpAnswer answer(String path, String... headers) {
        return assets.answer(get(path, headers), path);
    }

    @Test
    void thePage_isServedWithItsCsp_andRevalidatedByEtag() {
        HttpAnswer page = answer("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.contentType()).isEqualTo("text/html; charset=utf-8");
        assertThat(header(page, "Content-Security-Policy")).isEqualTo(StaticAssets.PAGE_CSP)
                .contains("script-src 'self'").contains("style-src 'self'").contains("frame-ancestors 'none'")
                .contains("base-uri 'none'").contains("form-action 'self'").doesNotContain("unsafe");
        assertThat(header(page, "Cache-Control")).isEqualTo("no-cache");
        String etag = header(page, "ETag");
        assertThat(etag).startsWith("\"");
        HttpAnswer again = answer("/", "If-None-Match", etag);
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(new String(page.body(), StandardCharsets.UTF_8)).doesNotContain("<script>").doesNotContain("style=");
    }

    @Test
    void modulesAndLibraries_haveTheirTypes_andLibrariesAreImmutable() {
        HttpAnswer module = answer("/app/main.js");
        assertThat(module.contentType()).isEqualTo("text/javascript; charset=utf-8");
        assertThat(answer("/app/app.css").contentType()).isEqualTo("text/css; charset=utf-8");
        assertThat(answer("/app/icon.svg").contentType()).isEqualTo("image/svg+xml");
        HttpAnswer library = answer("/webjars/lit-html/3.2.1/lit-html.js");
        assertThat(library.status()).isEqualTo(200);
        assertThat(header(library, "Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
        assertThat(header(library, "Content-Security-Policy")).isEqualTo(StaticAssets.PAGE_CSP);
    }

    @Test
    void pathTricks_directories_otherWebJarsAndMethods_areRefused() {
        for (String path : List.of("/app/../META-INF/MANIFEST.MF", "/app/%2e%2e/x.js", "/app//main.js", "/app/.hidden.js",
                "/app/pages", "/app/pages/", "/app/", "/app/pages/overview", "/app/main.js%00.css", "/app/main.class",
                "/webjars/", "/webjars/jquery/3.7.1/jquery.js", "/webjars/lit-html/../uplot/1.6.30/dist/uPlot.esm.js",
                "/webjars/lit-html", "/app/main.js\\..\\x.js")) {
            HttpAnswer a = answer(path);
            assertThat(a.status()).as(path).isEqualTo(404);
            assertThat(a.contentType()).as(path).startsWith("application/problem+json");
        }
        HttpCall post = new HttpCall("POST", "/", new DefaultHttpHeaders(), null, null, false, Map.of(), "admin", "r2");
        assertThat(assets.answer(post, "/").status()).isEqualTo(405);
    }

    @Test
    void everyModuleAndLibraryThePageImports_exists() throws IOException, URISyntaxException {
        Path root = Path.of(StaticAssets.class.getClassLoader().getResource("control-center/index.html").toURI())
                .getParent();
        Pattern absolute = Pattern.compile("['\"](/(?:app|webjars)/[^'\"]+)['\"]");
        Pattern relative = Pattern.compile("from\\s+['\"](\\.{1,2}/[^'\"]+)['\"]");
        List<String> checked = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".js") || f.toString().endsWith(".html")).toList()) {
                String text = Files.readString(file);
                Matcher m = absolute.matcher(text);
                while (m.find()) {
                    assertThat(answer(m.group(1)).status()).as(m.group(1) + " in " + file).isEqualTo(200);
                    checked.add(m.group(1));
                }
                Matcher r = relative.matcher(text);
                while (r.find()) {
                    Path target = file.getParent().resolve(r.group(1)).normalize();
                    assertThat(target).as(r.group(1) + " in " + file).isRegularFile();
                    checked.add(r.group(1));
                }
            }
        }
        assertThat(checked).contains("/webjars/lit-html/3.2.1/lit-html.js", "/webjars/uplot/1.6.30/dist/uPlot.esm.js");
    }
}
