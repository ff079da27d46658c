package org.dlc4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.dlc4j.util.Home;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web app in a real browser: Debian's headless Chromium, driven through Debian's chromedriver, against a real
 * server on an ephemeral loopback port. Uploads an image, sees its code, draws images, edits a token and resamples
 * released ones, composes two codes, prompts, samples; every step must show images, and the browser console must stay
 * free of errors. {@code -Ddlc4j.screenshot=FILE} also saves the page (the README's picture); {@code -Ddlc4j.models=DIR},
 * {@code -Ddlc4j.upload=PNG} and {@code -Ddlc4j.prompt=TEXT} drive it on another model set (a chain's folder, for its
 * picture in the results).
 */
class BrowserTest {
    static final Path MODELS = Path.of(System.getProperty("dlc4j.models", Home.models().toString()));
    static final boolean SHIPPED = MODELS.equals(Home.models());
    static DlcServer server;
    static ChromeDriver browser;

    @BeforeAll
    static void start() {
        var d = DlcServer.Options.defaults(MODELS);
        server = DlcServer.start(new DlcServer.Options("127.0.0.1", 0, d.models(), 1, 8, 16, 250, d.maxBodyBytes(), 120));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(first("/usr/bin/chromium", "/usr/bin/chromium-browser"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,2200",
                "--no-first-run", "--disable-extensions");
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(Path.of(first("/usr/bin/chromedriver",
                "/usr/lib/chromium/chromedriver")).toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    static String first(String... paths) {
        for (String p : paths) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        throw new IllegalStateException("none of " + List.of(paths) + " is installed: apt-get install chromium chromium-driver");
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    static WebElement id(String id) {
        return browser.findElement(By.id(id));
    }

    static void set(String id, String value) {
        ((JavascriptExecutor) browser).executeScript("document.getElementById(arguments[0]).value = arguments[1];", id, value);
    }

    static long count(String css) {
        return (Long) ((JavascriptExecutor) browser).executeScript("return document.querySelectorAll(arguments[0]).length;", css);
    }

    static void until(String what, java.util.function.BooleanSupplier condition) {
        // The page redraws the code's buttons when an answer lands: an element read in mid-redraw is stale, so poll again.
        new WebDriverWait(browser, Duration.ofSeconds(90)).withMessage(() -> what + "; status: " + id("status").getText())
                .ignoring(StaleElementReferenceException.class).until(b -> condition.getAsBoolean());
    }

    /** Clicks {@code button} and waits for the {@code k}-th result block to hold {@code n} finished images. */
    static void runs(String button, int k, int n) {
        id(button).click();
        until("result " + k + " of " + button, () -> count(".result") == k && count(".result:first-child img.generated") == n
                && id(button).isEnabled());
        assertTrue(!id("status").getAttribute("class").contains("error"), id("status").getText());
    }

    @Test
    void aUserEncodesEditsComposesPromptsAndSamples() throws Exception {
        var info = com.google.gson.JsonParser.parseString(java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                server.uri().resolve("/api/info")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body()).getAsJsonObject();
        int length = info.get("codeLength").getAsInt();
        int vocab = info.get("vocabulary").getAsInt();
        browser.get(server.uri().toString());
        until("the gallery loads", () -> SHIPPED ? count("#gallery img") == 48 : count("#gallery img") > 1);
        set("n", "2");
        set("steps", "5");
        set("prior-steps", "16");

        // Upload a picture: its view (28×28 for the shipped models) and its tokens (32) appear.
        id("upload").sendKeys(Path.of(System.getProperty("dlc4j.upload", "assets/fmnist/queries/test01007.png")).toAbsolutePath().toString());
        until("the upload is encoded", () -> count("#code button") == length && id("view").getAttribute("src").startsWith("data:image/png"));
        assertEquals(8, count("#nearest img"));
        List<String> uploaded = browser.findElements(By.cssSelector("#code button")).stream().map(WebElement::getText).toList();

        runs("decode", 1, 2);

        // Edit a token by hand, release a few positions and let the prior redraw them.
        set("edit-position", "0");
        String changed = Integer.toString((Integer.parseInt(uploaded.get(0)) + 1) % vocab);
        set("edit-token", changed);
        id("set-token").click();
        assertEquals(changed, browser.findElement(By.cssSelector("#code button")).getText());
        for (int p = length - 8; p < length; p++) {
            browser.findElements(By.cssSelector("#code button")).get(p).click();
        }
        assertEquals(8, count("#code button.released"));
        runs("infill", 2, 2);

        // Compose the edited code with a gallery image's.
        id("add-compose").click();
        browser.findElements(By.cssSelector("#gallery img")).get(1).click();
        until("the gallery image is encoded", () -> !browser.findElements(By.cssSelector("#code button")).stream().map(WebElement::getText).toList()
                .subList(1, length).equals(uploaded.subList(1, length)));
        id("add-compose").click();
        assertEquals(2, count("#tray img"));
        runs("compose", 3, 2);

        set("prompt", System.getProperty("dlc4j.prompt", "a photo of an ankle boot"));
        runs("from-prompt", 4, 2);
        runs("generate", 5, 2);

        String shot = System.getProperty("dlc4j.screenshot");
        if (shot != null) {
            Files.write(Path.of(shot), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        }
        List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
        assertEquals(List.of(), errors, "the browser console has no errors");
        assertNotEquals("", id("status").getText());
    }
}
