package io.rampart.server.it.support;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A real browser for the Control Center tests: Debian's headless Chromium driven by Debian's chromedriver (nothing
 * is downloaded), with a fresh profile per browser and the console log kept, so tests can fail on any error or
 * Content-Security-Policy violation. Screenshots go to {@code target/screenshots/}.
 */
public final class Browser implements AutoCloseable {

    public static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    public static final Duration WAIT = Duration.ofSeconds(30);

    private final ChromeDriver driver;
    private final Path profile;
    private final String base;
    private final List<LogEntry> console = new ArrayList<>();

    private Browser(ChromeDriver driver, Path profile, String base) {
        this.driver = driver;
        this.profile = profile;
        this.base = base;
    }

    /** A browser window of {@code width} x {@code height} pixels for the admin listener on {@code port}. */
    public static Browser open(int port, int width, int height) {
        Path profile;
        try {
            profile = Files.createTempDirectory("rampart-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=" + width + "," + height);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(WAIT);
        return new Browser(driver, profile, "http://127.0.0.1:" + port);
    }

    /** A 1280 x 900 window. */
    public static Browser open(int port) {
        return open(port, 1280, 900);
    }

    public WebDriver driver() {
        return driver;
    }

    public String base() {
        return base;
    }

    /** Loads a path of the admin listener, e.g. {@code /} or {@code /#/clients}. */
    public Browser go(String path) {
        driver.get(base + path);
        return this;
    }

    /** The element once it is shown (waiting up to {@link #WAIT}). */
    public WebElement shown(By by) {
        return await().atMost(WAIT).ignoreExceptions().until(() -> {
            WebElement e = driver.findElement(by);
            return e.isDisplayed() ? e : null;
        }, e -> e != null);
    }

    public WebElement testId(String id) {
        return shown(By.cssSelector("[data-testid='" + id + "']"));
    }

    public List<WebElement> all(By by) {
        return driver.findElements(by);
    }

    public boolean present(By by) {
        return !driver.findElements(by).isEmpty();
    }

    /** Signs in through the sign-in form and waits for the navigation. */
    public Browser signIn(String user, String password) {
        go("/");
        shown(By.id("username")).sendKeys(user);
        driver.findElement(By.id("password")).sendKeys(password);
        testId("sign-in").click();
        shown(By.cssSelector("nav.side"));
        return this;
    }

    /** Types into whatever has the focus, as a user at the keyboard does (a chord when the first key is a modifier). */
    public Browser keys(CharSequence... keys) {
        Actions actions = new Actions(driver);
        if (keys.length == 2 && (keys[0] == Keys.SHIFT || keys[0] == Keys.CONTROL)) {
            actions.keyDown(keys[0]).sendKeys(keys[1]).keyUp(keys[0]);
        } else {
            actions.sendKeys(keys);
        }
        actions.perform();
        return this;
    }

    /** The element that has the focus. */
    public WebElement focused() {
        return driver.switchTo().activeElement();
    }

    public Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /** The URLs of every file the page loaded. */
    @SuppressWarnings("unchecked")
    public List<String> loadedResources() {
        return (List<String>) script("return performance.getEntriesByType('resource').map(e => e.name)"
                + ".concat([location.href.split('#')[0]]);");
    }

    /** Writes a PNG of the window to {@code target/screenshots/<name>.png}. */
    public Path screenshot(String name) {
        return write(name, driver.getScreenshotAs(OutputType.BYTES));
    }

    /** Writes a PNG of the whole page, beyond the window, to {@code target/screenshots/<name>.png}. */
    @SuppressWarnings("unchecked")
    public Path pageScreenshot(String name) {
        Map<String, Object> metrics = driver.executeCdpCommand("Page.getLayoutMetrics", Map.of());
        Map<String, Object> content = (Map<String, Object>) metrics.get("cssContentSize");
        Map<String, Object> clip = Map.of("x", 0, "y", 0, "scale", 1,
                "width", ((Number) content.get("width")).doubleValue(),
                "height", ((Number) content.get("height")).doubleValue());
        Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot",
                Map.of("format", "png", "captureBeyondViewport", true, "clip", clip));
        return write(name, Base64.getDecoder().decode((String) shot.get("data")));
    }

    private static Path write(String name, byte[] png) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, png);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every console line so far (errors, warnings, CSP violations, ...). */
    public List<LogEntry> console() {
        console.addAll(driver.manage().logs().get(LogType.BROWSER).getAll());
        return List.copyOf(console);
    }

    /** Console errors and Content-Security-Policy violations so far. */
    public List<String> consoleProblems() {
        return console().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()
                        || e.getMessage().contains("Content Security Policy")
                        || e.getMessage().contains("Content-Security-Policy"))
                .map(e -> e.getLevel() + " " + e.getMessage()).toList();
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a leftover temporary profile is harmless
            }
        }
    }
}
