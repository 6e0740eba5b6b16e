package dev.keel.server.ui;

import static dev.keel.server.ui.DashboardFixture.conformance;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.access.Access;
import dev.keel.core.Ids;
import dev.keel.core.Json;
import dev.keel.pipelines.RunRequest;
import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineSpecWriter;
import dev.keel.server.TestKeel;
import dev.keel.store.PipelineRecord;
import dev.keel.store.PipelineVersionRecord;
import dev.keel.store.RecurringRunRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The KFP experiment, recurring run and "Manage contributors" pages in headless Chromium with
 * built-in users: the owner makes an experiment and a recurring run (a bad cron first, shown next
 * to its field), adds a contributor as viewer, and the contributor then finds the namespace in the
 * selector and its runs. Screenshots go to {@code target/screenshots/}. Skipped where Chromium or
 * its driver is not installed.
 */
class ContributorsBrowserTest extends BrowserFixture {
  static final char[] PASSWORD = "correct horse".toCharArray();

  WebDriverWait wait;

  @Override
  TestKeel startServer(TestKeel.Builder builder) {
    return builder.parallelism(2).users().start();
  }

  @BeforeEach
  void addUsersAndWait() {
    Access access = keel.access();
    access.addUser("alice", PASSWORD, false);
    access.addUser("bob", PASSWORD, false);
    access.createProfile("team-a", "alice", Map.of());
    wait = new WebDriverWait(browser, Duration.ofSeconds(30));
  }

  @Test
  void owner_schedules_and_adds_a_viewer_who_then_sees_the_namespace_and_its_runs()
      throws Exception {
    pipeline("add-numbers", "add_numbers.yaml");
    pipeline("exit-handler", "pipeline_with_exit_handler.yaml");
    String run =
        keel.engine()
            .submit(
                new RunRequest(
                    conformance("hello_world.yaml"), Map.of(), "team-a", "alices-run", null, null));
    keel.engine().await(run);

    // alice signs in with the form
    signIn("alice");
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Home"));

    // a KFP experiment, made from its page
    browser.findElement(By.linkText("Experiments (KFP)")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Experiments (KFP)"));
    assertThat(browser.findElement(By.cssSelector("header nav")).getText())
        .contains("Experiments (KFP)")
        .contains("Experiments (AutoML)")
        .contains("Recurring runs")
        .contains("Manage contributors");
    browser.findElement(By.cssSelector("#new-experiment summary")).click();
    browser.findElement(By.id("exp-name")).sendKeys("nightly-training");
    browser.findElement(By.id("exp-description")).sendKeys("Retrains every night");
    shot("20-kfp-experiment-create");
    browser.findElement(By.cssSelector("#exp-form button[type=submit]")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "nightly-training"));
    assertThat(browser.findElement(By.id("experiment-state")).getText()).isEqualTo("Active");
    shot("21-kfp-experiment");
    browser.findElement(By.linkText("Experiments (KFP)")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Experiments (KFP)"));
    assertThat(browser.findElement(By.id("kfp-experiments")).getText())
        .contains("nightly-training");
    shot("22-kfp-experiments");

    // a recurring run in it: choosing another pipeline brings its parameters and defaults
    browser.findElement(By.linkText("nightly-training")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "nightly-training"));
    browser.findElement(By.linkText("New recurring run")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "New recurring run"));
    assertThat(
            new Select(browser.findElement(By.id("rr-experiment")))
                .getFirstSelectedOption()
                .getText())
        .isEqualTo("nightly-training");
    new Select(browser.findElement(By.id("rr-pipeline")))
        .selectByVisibleText("exit-handler (shared)");
    WebElement message =
        wait.until(
            ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("input[name='param.message']")));
    assertThat(message.getAttribute("value")).isEqualTo("Hello World!");
    browser.findElement(By.id("rr-name")).sendKeys("nightly");
    WebElement cron = browser.findElement(By.id("rr-cron"));
    cron.clear();
    cron.sendKeys("every night");
    browser.findElement(By.id("rr-create")).click();
    WebElement cronError =
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("rr-cron-error")));
    assertThat(cronError.getText()).contains("is not a cron expression of six fields");
    assertThat(browser.findElement(By.id("rr-cron")).getAttribute("aria-invalid"))
        .isEqualTo("true");
    assertThat(browser.findElement(By.id("rr-name")).getAttribute("value")).isEqualTo("nightly");
    shot("23-recurring-run-cron-error");
    assertPhoneWidthFits("24-recurring-run-form-phone");
    cron = browser.findElement(By.id("rr-cron"));
    cron.clear();
    cron.sendKeys("0 0 2 * * *");
    browser.findElement(By.id("rr-create")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Recurring runs"));
    WebElement table = browser.findElement(By.id("recurring-runs"));
    assertThat(table.getText())
        .contains("nightly")
        .contains("Cron 0 0 2 * * * (UTC)")
        .contains("exit-handler")
        .contains("Enabled")
        .contains("nightly-training");
    RecurringRunRecord rr =
        keel.store().recurringRuns().list("team-a", null, 10, "").items().get(0);
    assertThat(Json.parse(rr.runtimeConfig()).at("/parameters/message").asText())
        .isEqualTo("Hello World!");
    shot("25-recurring-runs");
    browser.findElement(By.cssSelector("#rr-" + rr.id() + " td.toggle button")).click();
    wait.until(
        d -> "false".equals(d.findElement(By.id("rr-" + rr.id())).getAttribute("data-enabled")));
    assertThat(keel.store().recurringRuns().get(rr.id()).orElseThrow().enabled()).isFalse();
    shot("26-recurring-runs-disabled");

    // Manage contributors: bob joins as a viewer
    browser.findElement(By.linkText("Manage contributors")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Manage contributors"));
    browser.findElement(By.id("contributor-user")).sendKeys("bob");
    new Select(browser.findElement(By.id("contributor-role"))).selectByValue("view");
    browser.findElement(By.id("add-contributor-button")).click();
    wait.until(
        ExpectedConditions.presenceOfElementLocated(
            By.cssSelector("#contributor-list tr[data-user='bob'][data-role='view']")));
    assertThat(browser.findElement(By.id("contributors")).getText()).contains("Added bob as view.");
    shot("27-contributors-owner");
    assertPhoneWidthFits("28-contributors-phone");

    // alice signs out; bob signs in and finds team-a in the selector, and its runs
    browser.findElement(By.id("logout")).click();
    wait.until(ExpectedConditions.urlContains("/login"));
    signIn("bob");
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Home"));
    Select namespaces = new Select(browser.findElement(By.id("namespace")));
    assertThat(namespaces.getOptions().stream().map(WebElement::getText).toList())
        .isEqualTo(List.of("team-a"));
    browser.findElement(By.linkText("Runs")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Runs"));
    assertThat(browser.getCurrentUrl()).contains("namespace=team-a");
    assertThat(browser.findElement(By.cssSelector("table.runs")).getText())
        .contains("alices-run")
        .contains("Succeeded");
    shot("29-contributor-sees-runs");
    // as a viewer: the recurring runs without their switches, the contributors without the form
    browser.findElement(By.linkText("Recurring runs")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Recurring runs"));
    assertThat(browser.findElement(By.id("recurring-runs")).getText()).contains("nightly");
    assertThat(browser.findElements(By.id("new-recurring-run"))).isEmpty();
    assertThat(browser.findElements(By.cssSelector("td.toggle button"))).isEmpty();
    browser.findElement(By.linkText("Manage contributors")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Manage contributors"));
    assertThat(browser.findElements(By.id("add-contributor"))).isEmpty();
    assertThat(browser.findElement(By.id("memberships")).getText()).contains("team-a Viewer");
    shot("30-contributors-viewer");
  }

  void signIn(String user) {
    browser.get(keel.url() + "/");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username")));
    browser.findElement(By.id("username")).sendKeys(user);
    browser.findElement(By.id("password")).sendKeys(new String(PASSWORD));
    browser.findElement(By.cssSelector("form button[type=submit]")).click();
  }

  /** A shared pipeline with one version, stored as an upload stores it. */
  void pipeline(String name, String file) throws Exception {
    PipelineDocument doc = conformance(file);
    Instant now = Instant.now();
    PipelineRecord p = new PipelineRecord(Ids.newId(), "", name, name, null, now);
    keel.store().pipelines().insert(p);
    keel.store()
        .versions()
        .insert(
            new PipelineVersionRecord(
                Ids.newId(),
                p.id(),
                name,
                name + "-v1",
                null,
                Json.write(PipelineSpecWriter.toTree(doc.spec())),
                null,
                now));
  }
}
