package io.vcmctl.orchestrator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.vcmctl.stats.StatsPoller;
import io.vcmctl.vcm.TestTenant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real headless Chromium against a real daemon: signing in, the VCM table
 * against {@code vcmadmin show --json}, actions with confirmation (by keyboard too), a refusal
 * shown as the command line prints it, disk colours, history, freshness, two window sizes,
 * and a browser log without errors. The steps build on one fleet, so they run in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(LogCapturingExtension.class)
class ConsoleBrowserTest {

  private static final Duration STATS_DELAY = Duration.ofSeconds(3);
  private static final Duration PATIENCE = Duration.ofSeconds(20);
  private static final String OK_COLOUR = "rgba(47, 111, 214, 1)";
  private static final String WARNING_COLOUR = "rgba(224, 138, 0, 1)";
  private static final String ALARM_COLOUR = "rgba(198, 40, 40, 1)";
  private static final Pattern NETWORK_REFUSAL =
      Pattern.compile("(\\S+) - Failed to load resource: the server responded with a status of (\\d{3}) .*");

  private OpsFleet fleet;
  private CompletableFuture<ChromeDriver> starting;
  private ChromeDriver browser;
  private final TestTenant aliceTenant = new TestTenant();
  private final TestTenant carolTenant = new TestTenant();
  private UUID alice;
  private UUID bob;
  private UUID carol;
  private UUID dave;
  private UUID erin;
  private UUID frank;

  @BeforeAll
  void fleetAndBrowser() {
    Path chromium = ExternalProgram.require("/usr/bin/chromium", "chromium");
    Path chromedriver = ExternalProgram.require("/usr/bin/chromedriver", "chromium-driver");
    // The browser starts while the fleet is scripted and polled.
    starting = CompletableFuture.supplyAsync(() -> startBrowser(chromium, chromedriver));
    fleet = OpsFleet.start("ops-console", STATS_DELAY);
    alice = fleet.create("alice", aliceTenant, Map.of());
    fleet.start(alice);
    fleet.enrol(aliceTenant, alice);
    fleet.api.tenant(aliceTenant, "world-load", alice, "{}").ok();
    bob = fleet.create("bob", new TestTenant(), Map.of("restrict_startup", "true"));
    carol = fleet.create("carol", carolTenant, Map.of());
    fleet.start(carol);
    fleet.enrol(carolTenant, carol);
    fleet.write(carolTenant, carol, 13_000_000);
    dave = fleet.create("dave", new TestTenant(), Map.of());
    TestTenant erinTenant = new TestTenant();
    erin = fleet.create("erin", erinTenant, Map.of());
    fleet.start(erin);
    fleet.enrol(erinTenant, erin);
    fleet.write(erinTenant, erin, 17_000_000);
    frank = fleet.create("frank", new TestTenant(), Map.of());
    fleet.awaitFreshStats();
    assertEquals("disk-limit-stopped", fleet.api.get("/v1/vcms/" + erin).ok().json().get("state").asText());
    browser = starting.join();
    viewport(1280, 800, false);
  }

  private static ChromeDriver startBrowser(Path chromium, Path chromedriver) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--disable-background-networking", "--disable-component-update");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    return new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile()).build(),
        options);
  }

  @AfterAll
  void stop() {
    try {
      if (starting != null) {
        starting.thenAccept(ChromeDriver::quit).exceptionally(failure -> null).join();
      }
    } finally {
      if (fleet != null) {
        fleet.close();
      }
    }
  }

  @Test
  @Order(1)
  void signsInWithTheTokenAndKeepsItForTheTabOnly() {
    browser.get(fleet.daemon.url() + "/");
    WebElement token = browser.findElement(By.id("token"));
    assertEquals(token, browser.switchTo().activeElement(), "the token field has the focus");
    token.sendKeys("0".repeat(64), Keys.ENTER);
    String refused = fleet.api.send("GET", "/v1/hsms", null, Map.of("Authorization", "Bearer " + "0".repeat(64)))
        .refused(401, "UNAUTHORIZED").message();
    assertTrue(refused.startsWith("wrong token"), refused);
    waitFor(() -> ("ERROR: UNAUTHORIZED: " + refused).equals(browser.findElement(By.id("login-error")).getText()));
    assertBrowserLog(Set.of("401 /v1/hsms", "401 /v1/version"));

    token = browser.findElement(By.id("token"));
    token.sendKeys(fleet.token(), Keys.ENTER);
    waitFor(() -> rows().size() == 6);
    assertFalse(browser.findElement(By.id("login")).isDisplayed());
    assertEquals(fleet.token(), script("return sessionStorage.getItem('vcmctl.adminToken')"));
    assertEquals(0L, script("return localStorage.length"));
    assertEquals("", script("return document.cookie"));

    // Another tab of the same browser has to sign in again.
    String first = browser.getWindowHandle();
    browser.switchTo().newWindow(WindowType.TAB);
    browser.get(fleet.daemon.url() + "/");
    waitFor(() -> browser.findElement(By.id("login")).isDisplayed());
    assertEquals(null, script("return sessionStorage.getItem('vcmctl.adminToken')"));
    browser.close();
    browser.switchTo().window(first);
    assertBrowserLog(Set.of());
  }

  @Test
  @Order(2)
  void theVcmTableMatchesVcmadminShowJson() {
    JsonNode vcms = fleet.cli("vcmadmin", "show", "--json").ok().json().get("vcms");
    JsonNode info = fleet.api.get("/v1/hsm/info").ok().json();
    waitFor(() -> rows().size() == vcms.size());
    for (JsonNode vcm : vcms) {
      WebElement row = row(UUID.fromString(vcm.get("uuid").asText()));
      JsonNode p = vcm.get("properties");
      List<String> flags = new ArrayList<>();
      for (String flag : List.of("autostart", "restrict_startup", "serial_cardreader")) {
        if (p.get(flag).asBoolean()) {
          flags.add(flag);
        }
      }
      flags.add(p.get("features").asText());
      assertEquals(vcm.get("name").asText(), cell(row, "name"));
      assertEquals(vcm.get("uuid").asText(), cell(row, "uuid"));
      assertEquals(vcm.get("state").asText(), cell(row, "state"));
      assertEquals(p.get("ip_address").asText(), cell(row, "address"));
      assertEquals(String.join(", ", flags), cell(row, "properties"));
      assertEquals(vcm.get("enrolled").asBoolean() ? "yes" : "no", cell(row, "enrolled"));
      assertEquals(vcm.get("hardserver_restart_required").asBoolean() ? "required" : "no", cell(row, "restart"));
    }
    assertEquals("restrict_startup, StandardFeatures", cell(row(bob), "properties"));

    WebElement hsm = browser.findElement(By.cssSelector("section.hsm[data-esn='" + info.get("esn").asText() + "']"));
    assertEquals("HSM " + info.get("esn").asText(), hsm.findElement(By.tagName("h2")).getText());
    assertEquals(info.get("vcms_active").asText() + " / " + info.get("max_active_vcms").asText(), fact(hsm, "active"));
    assertEquals(info.get("vcms_created").asText() + " / " + info.get("max_creatable_vcms").asText(),
        fact(hsm, "created"));
    assertEquals(info.get("speed_rating").asText(), fact(hsm, "speed"));
    assertEquals(info.get("network").asText(), fact(hsm, "network"));
    assertEquals("none", fact(hsm, "pending"));
    assertTrue(fact(hsm, "licence").startsWith("multi-tenant"), fact(hsm, "licence"));
    assertTrue(fact(hsm, "clock").matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC"), fact(hsm, "clock"));
    assertTrue(fact(hsm, "freshness").matches("last poll \\d+ s ago, every 3 s"), fact(hsm, "freshness"));
    assertTrue(row(carol).findElement(By.cssSelector(".freshness")).getText().matches("collected \\d+ s ago"));
    assertBrowserLog(Set.of());
  }

  @Test
  @Order(3)
  void startAndStopFromThePageWithTheKeyboard() {
    WebElement start = button(dave, "start");
    assertEquals("Start dave", start.getAccessibleName());
    start.sendKeys(Keys.ENTER);
    WebElement dialog = browser.findElement(By.id("confirm"));
    waitFor(dialog::isDisplayed);
    assertEquals("confirm-cancel", browser.switchTo().activeElement().getAttribute("id"), "Cancel has the focus");
    assertEquals("Start VCM dave (" + dave + ")?", browser.findElement(By.id("confirm-text")).getText());
    browser.switchTo().activeElement().sendKeys(Keys.TAB);
    assertEquals("confirm-ok", browser.switchTo().activeElement().getAttribute("id"));
    browser.switchTo().activeElement().sendKeys(Keys.ENTER);
    waitFor(() -> cell(row(dave), "state").equals("active"));
    assertEquals("active", fleet.api.get("/v1/vcms/" + dave).ok().json().get("state").asText());
    assertEquals("VCM dave: active", browser.findElement(By.id("action-done")).getText());

    // Escape cancels a confirmation and changes nothing.
    button(dave, "stop").sendKeys(Keys.ENTER);
    waitFor(dialog::isDisplayed);
    browser.switchTo().activeElement().sendKeys(Keys.ESCAPE);
    waitFor(() -> !dialog.isDisplayed());
    assertEquals("active", fleet.api.get("/v1/vcms/" + dave).ok().json().get("state").asText());

    button(dave, "stop").click();
    waitFor(dialog::isDisplayed);
    browser.findElement(By.id("confirm-ok")).click();
    waitFor(() -> cell(row(dave), "state").equals("inactive"));
    assertEquals("inactive", fleet.api.get("/v1/vcms/" + dave).ok().json().get("state").asText());
    assertBrowserLog(Set.of());
  }

  @Test
  @Order(4)
  void aRefusalShowsTheLineTheCommandLinePrints() {
    confirm(alice, "stop", "Stop");
    String cliLine = fleet.cli("vcmadmin", "stop", alice.toString()).err().strip();
    assertTrue(cliLine.startsWith("ERROR: R5 VCM_IN_USE: VCM " + alice + " is in use"), cliLine);
    waitFor(() -> cliLine.equals(browser.findElement(By.id("action-error")).getText()));
    assertEquals("active", cell(row(alice), "state"));
    assertBrowserLog(Set.of("409 /v1/vcms/" + alice + "/stop"));
  }

  @Test
  @Order(5)
  void forceStopSaysTheTenantMustRestartItsHardserver() {
    button(alice, "force-stop").click();
    waitFor(() -> browser.findElement(By.id("confirm")).isDisplayed());
    assertTrue(browser.findElement(By.id("confirm-text")).getText()
        .endsWith("The tenant will have to restart its hardserver."));
    browser.findElement(By.id("confirm-ok")).click();
    waitFor(() -> cell(row(alice), "state").equals("inactive"));
    assertEquals("required", cell(row(alice), "restart"));
    assertEquals("VCM alice: inactive; its tenant must restart the hardserver",
        browser.findElement(By.id("action-done")).getText());
    assertEquals("", browser.findElement(By.id("action-error")).getText());
    assertBrowserLog(Set.of());
  }

  @Test
  @Order(6)
  void aVcmCrossing80PercentOfTheDiskLimitChangesColour() {
    assertDisk(carol, "disk-ok", OK_COLOUR);
    assertTrue(disk(carol).getText().startsWith("12.4 MiB of 16 MiB (77 %)"), disk(carol).getText());
    assertDisk(erin, "disk-alarm", ALARM_COLOUR);
    assertTrue(disk(erin).getText().endsWith("stopped for the limit"), disk(erin).getText());

    // The tenant writes 600 kB more: 13.6 MB of 16 MiB is 81 %. The page refreshes by itself.
    fleet.write(carolTenant, carol, 600_000);
    waitFor(() -> row(carol).findElement(By.cssSelector(".disk")).getAttribute("class").contains("disk-warning"));
    assertDisk(carol, "disk-warning", WARNING_COLOUR);
    assertTrue(disk(carol).getText().startsWith("13.0 MiB of 16 MiB (81 %), near the limit"), disk(carol).getText());
    assertEquals("13600000", row(carol).findElement(By.cssSelector(".disk")).getAttribute("aria-valuenow"));
    assertBrowserLog(Set.of());
  }

  @Test
  @Order(7)
  void historyIsATimelineOfWhoWhatWhenAndTheRequest() {
    button(alice, "history").sendKeys(Keys.ENTER);
    waitFor(() -> browser.findElement(By.id("history")).isDisplayed());
    assertEquals("history-title", browser.switchTo().activeElement().getAttribute("id"));
    assertEquals("History of alice (" + alice + ")", browser.findElement(By.id("history-title")).getText());
    JsonNode events = fleet.api.get("/v1/vcms/" + alice + "/history").ok().json().get("events");
    List<WebElement> items = browser.findElements(By.cssSelector("#timeline li.event"));
    assertEquals(events.size(), items.size());
    assertEquals(List.of("VcmCreated", "VcmStarted", "TenantEnrolled", "SecurityWorldLoaded", "VcmStopped"),
        items.stream().map(i -> i.findElement(By.className("what")).getText()).toList());
    for (int i = 0; i < events.size(); i++) {
      JsonNode e = events.get(i);
      WebElement item = items.get(i);
      assertEquals(e.get("at").asText(), item.findElement(By.tagName("time")).getAttribute("datetime"));
      assertEquals(e.get("event").asText(), item.findElement(By.className("what")).getText());
      assertEquals("by " + e.get("by").asText(), item.findElement(By.className("who")).getText());
      assertEquals(e.get("request_digest").isNull() ? "no request" : "request " + e.get("request_digest").asText(),
          item.findElement(By.className("digest")).getText());
    }
    assertTrue(items.get(0).findElement(By.className("digest")).getText().matches("request [0-9a-f]{64}"));
    assertEquals("by tenant:" + aliceTenant.fingerprint(), items.get(2).findElement(By.className("who")).getText());
    assertBrowserLog(Set.of());
  }

  @Test
  @Order(8)
  void deleteAsksForConfirmationAndTheRowGoes() {
    WebElement delete = button(frank, "delete");
    delete.click();
    waitFor(() -> browser.findElement(By.id("confirm")).isDisplayed());
    assertTrue(browser.findElement(By.id("confirm-text")).getText().contains("this cannot be undone"));
    browser.findElement(By.id("confirm-cancel")).click();
    assertEquals(delete, browser.switchTo().activeElement(), "the focus returns to the button");
    assertTrue(fleet.api.get("/v1/vcms/" + frank).ok().json().get("state").asText().equals("inactive"));

    confirm(frank, "delete", "Delete");
    waitFor(() -> browser.findElements(By.cssSelector("tr[data-uuid='" + frank + "']")).isEmpty());
    JsonNode vcms = fleet.api.get("/v1/vcms").ok().json().get("vcms");
    assertTrue(vcms.findValuesAsText("uuid").stream().noneMatch(frank.toString()::equals));
    assertEquals(vcms.size(), rows().size());
    assertBrowserLog(Set.of());
  }

  @Test
  @Order(9)
  void staleStatsAreFlaggedPastTwoDelays() {
    // Just after a cycle, the module clock jumps an hour ahead: until the next cycle (one delay
    // away) every figure is an hour old. Setting it back, the next cycle makes them fresh again.
    TestProbe<StatsPoller.CycleCompleted> cycles = TestProbe.create(fleet.daemon.orchestrator().system());
    fleet.daemon.orchestrator().system().eventStream()
        .tell(new EventStream.Subscribe<>(StatsPoller.CycleCompleted.class, cycles.getRef()));
    cycles.receiveMessage(PATIENCE);
    fleet.api.post("/v1/hsm/time", ApiClient.json("module_time", Instant.now().plus(Duration.ofHours(1)).toString()))
        .ok();
    browser.navigate().refresh();
    waitFor(() -> rows().size() == 5);
    WebElement freshness = row(carol).findElement(By.className("freshness"));
    assertTrue(freshness.getText().matches("collected 60 min ago — stale"), freshness.getText());
    assertTrue(freshness.getAttribute("class").contains("stale"));
    fleet.api.post("/v1/hsm/time", "{}").ok();
    waitFor(() -> row(carol).findElement(By.className("freshness")).getText().matches("collected \\d+ s ago"));
    fleet.daemon.orchestrator().system().eventStream().tell(new EventStream.Unsubscribe<>(cycles.getRef()));
    assertBrowserLog(Set.of());
  }

  @Test
  @Order(10)
  void readableAt1280By800AndAtPhoneWidth() throws IOException {
    viewport(1280, 800, false);
    waitFor(() -> rows().size() == 5);
    assertNoSidewaysScrolling(1280);
    for (WebElement b : row(carol).findElements(By.cssSelector("button"))) {
      assertTrue(b.isDisplayed() && right(b) <= 1280, b.getAccessibleName());
    }
    Path shots = Files.createDirectories(Path.of("target", "console"));
    Files.write(shots.resolve("console-1280x800.png"), browser.getScreenshotAs(OutputType.BYTES));

    viewport(390, 844, true);
    assertNoSidewaysScrolling(390);
    // The column headings are left to screen readers; each cell carries its own label.
    assertTrue(browser.findElement(By.cssSelector("table.vcms thead")).getRect().getHeight() <= 1);
    assertEquals("\"Disk\"", script("return getComputedStyle(document.querySelector("
        + "\"tr[data-uuid='" + carol + "'] td[data-col='disk']\"), '::before').content"));
    assertEquals("block", row(carol).getCssValue("display"));
    WebElement stop = button(carol, "stop");
    assertTrue(stop.isDisplayed() && right(stop) <= 390);
    assertDisk(carol, "disk-warning", WARNING_COLOUR);
    Files.write(shots.resolve("console-phone.png"), browser.getScreenshotAs(OutputType.BYTES));

    // The whole page at desktop width with a history open, for docs/console.png.
    viewport(1280, 800, false);
    button(alice, "history").click();
    waitFor(() -> browser.findElement(By.id("history")).isDisplayed());
    script("document.activeElement.blur()");
    long height = (Long) script("return document.documentElement.scrollHeight");
    viewport(1280, (int) height, false);
    Files.write(shots.resolve("console.png"), browser.getScreenshotAs(OutputType.BYTES));
    viewport(1280, 800, false);
    assertBrowserLog(Set.of());
  }

  // ---- helpers -----------------------------------------------------------------------------

  private void viewport(int width, int height, boolean mobile) {
    browser.executeCdpCommand("Emulation.setDeviceMetricsOverride",
        Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", mobile));
  }

  private void assertNoSidewaysScrolling(int width) {
    long scrollWidth = (Long) script("return document.documentElement.scrollWidth");
    assertTrue(scrollWidth <= width, "the page is " + scrollWidth + " px wide in a " + width + " px window");
  }

  private static long right(WebElement e) {
    return e.getRect().getX() + e.getRect().getWidth();
  }

  private void confirm(UUID vcm, String action, String okLabel) {
    button(vcm, action).click();
    waitFor(() -> browser.findElement(By.id("confirm")).isDisplayed());
    assertEquals(okLabel, browser.findElement(By.id("confirm-ok")).getText());
    browser.findElement(By.id("confirm-ok")).click();
  }

  private List<WebElement> rows() {
    return browser.findElements(By.cssSelector("tr[data-uuid]"));
  }

  private WebElement row(UUID vcm) {
    return browser.findElement(By.cssSelector("tr[data-uuid='" + vcm + "']"));
  }

  private WebElement button(UUID vcm, String action) {
    return row(vcm).findElement(By.cssSelector("button[data-action='" + action + "']"));
  }

  private WebElement disk(UUID vcm) {
    return row(vcm).findElement(By.className("disk-text"));
  }

  private static String cell(WebElement row, String column) {
    return row.findElement(By.cssSelector("[data-col='" + column + "']")).getText();
  }

  private static String fact(WebElement hsm, String name) {
    return hsm.findElement(By.cssSelector("[data-fact='" + name + "']")).getText();
  }

  private void assertDisk(UUID vcm, String level, String colour) {
    WebElement meter = row(vcm).findElement(By.cssSelector(".disk"));
    assertTrue(meter.getAttribute("class").contains(level), meter.getAttribute("class"));
    assertEquals(colour, meter.findElement(By.className("disk-fill")).getCssValue("background-color"));
  }

  private Object script(String js) {
    return ((JavascriptExecutor) browser).executeScript(js);
  }

  private void waitFor(java.util.function.BooleanSupplier condition) {
    new WebDriverWait(browser, PATIENCE).pollingEvery(Duration.ofMillis(100)).until(b -> condition.getAsBoolean());
  }

  /**
   * Reads (and empties) the browser's log: nothing but Chromium's own note of each refused
   * call this step provoked ({@code "STATUS PATH"}), each of them there, and nothing else.
   */
  private void assertBrowserLog(Set<String> provokedRefusals) {
    Set<String> seen = new HashSet<>();
    for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
      Matcher m = NETWORK_REFUSAL.matcher(entry.getMessage());
      String refusal = m.matches() ? m.group(2) + " " + m.group(1).replace(fleet.daemon.url(), "") : null;
      if (refusal == null || !provokedRefusals.contains(refusal)) {
        fail("the browser logged " + entry);
      }
      seen.add(refusal);
    }
    assertEquals(provokedRefusals, seen, "Chromium did not note every refused call");
  }
}
