package dev.keel.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.Json;
import dev.keel.runtime.ImageMap;
import dev.keel.runtime.ImageMapping;
import dev.keel.server.TestKeel;
import dev.keel.store.ResourceRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (headless Chromium): sign in with the URL the server prints, run
 * a pipeline from its page, watch the run succeed live, open a task's log and an experiment.
 * Screenshots of each page go to {@code target/screenshots/}. Skipped where Chromium or its driver
 * is not installed ({@code apt-get install chromium chromium-driver}).
 */
class DashboardBrowserTest extends BrowserFixture {
  static final String TOKEN = "browser-test-token-0123456789";

  @Override
  TestKeel startServer(TestKeel.Builder builder) throws Exception {
    // hello_world's image runs its echo through a script that waits first, so the run lasts long
    // enough to be seen running
    Path slowEcho = dir.resolve("slow-echo");
    Files.writeString(slowEcho, "#!/bin/sh\nsleep 3\necho \"$@\"\n");
    Files.setPosixFilePermissions(slowEcho, PosixFilePermissions.fromString("rwxr-xr-x"));
    return builder
        .parallelism(2)
        .runtime(
            r ->
                r.imageMap(
                    ImageMap.defaults()
                        .with(
                            "registry.access.redhat.com/ubi9/python-311*",
                            new ImageMapping(
                                "registry.access.redhat.com/ubi9/python-311*",
                                Map.of("echo", slowEcho.toString()),
                                Map.of(),
                                "echo after three seconds"))))
        .token(TOKEN)
        .start();
  }

  @Test
  void run_a_pipeline_watch_it_succeed_open_its_log_and_an_experiment() throws Exception {
    addExperiment();
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
    // the run page redraws its state as the run goes on: an element found may be replaced at once
    wait.ignoring(StaleElementReferenceException.class);

    // the printed URL signs the browser in and lands on the home page
    browser.get(keel.server().loginUrl());
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Home"));
    assertThat(browser.getCurrentUrl()).doesNotContain("token=");
    assertThat(browser.findElement(By.tagName("main")).getText()).contains("tune-lr");
    shot("01-home");

    // the pipeline's page draws its graph; Run starts a run and opens it
    // upload KFP's compiled hello_world through the page: a broken file first, which is refused
    // next to the form, then the real one, which opens the new pipeline's page
    browser.findElement(By.linkText("Pipelines")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Pipelines"));
    Path broken = Files.createTempFile("broken", ".yaml");
    Files.writeString(broken, "root: [unclosed");
    browser.findElement(By.name("uploadfile")).sendKeys(broken.toString());
    browser.findElement(By.cssSelector("#upload button[type=submit]")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#upload .field-error")));
    assertThat(browser.findElement(By.cssSelector("#upload .field-error")).getText())
        .contains("not valid YAML");
    shot("02-pipelines");
    browser
        .findElement(By.name("uploadfile"))
        .sendKeys(
            Path.of(
                    System.getProperty("keel.shared", "../../shared"),
                    "conformance",
                    "kfp-ir",
                    "hello_world.yaml")
                .toAbsolutePath()
                .normalize()
                .toString());
    browser.findElement(By.name("name")).sendKeys("hello-world");
    browser.findElement(By.cssSelector("#upload button[type=submit]")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("svg.dag g.node")));
    assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("hello-world");
    assertThat(browser.findElements(By.cssSelector("svg.dag g.node[data-node='echo']"))).hasSize(1);
    shot("03-pipeline");
    browser.findElement(By.cssSelector("button.primary")).click();
    wait.until(ExpectedConditions.urlContains("/runs/"));
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("run-state")));

    // the page updates itself: the same document goes from running to succeeded
    JavascriptExecutor js = (JavascriptExecutor) browser;
    js.executeScript("window.keelSamePage = 42;");
    String first = browser.findElement(By.id("run-state")).getAttribute("data-state");
    assertThat(first).isIn("PENDING", "RUNNING");
    shot("04-run-running");
    wait.until(
        d -> "SUCCEEDED".equals(d.findElement(By.id("run-state")).getAttribute("data-state")));
    assertThat(js.executeScript("return window.keelSamePage;")).isEqualTo(42L);
    WebElement node =
        wait.until(
            ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("svg.dag g.node.state-succeeded[data-node='echo']")));
    shot("05-run-succeeded");

    // a node opens its panel with the log
    node.click();
    WebElement log =
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#side pre.log")));
    assertThat(log.getText()).contains("hello world");
    shot("06-run-node-log");

    assertPhoneWidthFits("07-run-phone");

    // the runs list shows it
    browser.findElement(By.linkText("Runs")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Runs"));
    assertThat(browser.findElement(By.cssSelector("table.runs")).getText()).contains("Succeeded");
    shot("08-runs");

    // the experiment: best trial, charts and the trials sorted by the objective
    browser.findElement(By.linkText("Experiments (AutoML)")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Experiments"));
    shot("09-experiments");
    browser.findElement(By.linkText("tune-lr")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "tune-lr"));
    assertThat(browser.findElements(By.cssSelector("#objective-chart circle.dot"))).hasSize(4);
    assertThat(browser.findElements(By.cssSelector("#parallel-chart polyline.pc"))).hasSize(4);
    assertThat(browser.findElement(By.cssSelector("section.best")).getText())
        .contains("tune-lr-c")
        .contains("0.93");
    shot("10-experiment");
    browser.findElement(By.id("sort-objective")).click();
    wait.until(ExpectedConditions.urlContains("sort=-objective"));
    List<WebElement> rows = browser.findElements(By.cssSelector("#trials tbody tr"));
    assertThat(rows.get(0).getText()).startsWith("tune-lr-c");
    assertThat(rows.get(rows.size() - 1).getText()).startsWith("tune-lr-d");
    shot("11-experiment-sorted");
    assertPhoneWidthFits("12-experiment-phone");
  }

  /** A finished Katib experiment with four trials, as the controller stores them. */
  void addExperiment() {
    String uid = "exp-uid-1";
    Instant t0 = Instant.parse("2026-11-30T10:00:00Z");
    double[] acc = {0.71, 0.84, 0.93, 0.52};
    String[] lr = {"0.1", "0.03", "0.01", "0.3"};
    String[] opt = {"sgd", "adam", "adam", "sgd"};
    ObjectNode e = Json.json().createObjectNode();
    e.put("apiVersion", "kubeflow.org/v1beta1").put("kind", "Experiment");
    e.putObject("metadata").put("name", "tune-lr").put("namespace", "default").put("uid", uid);
    ObjectNode spec = e.putObject("spec");
    spec.putObject("objective")
        .put("type", "maximize")
        .put("goal", 0.99)
        .put("objectiveMetricName", "accuracy");
    spec.putObject("algorithm").put("algorithmName", "random");
    ArrayNode params = spec.putArray("parameters");
    params
        .addObject()
        .put("name", "lr")
        .put("parameterType", "double")
        .putObject("feasibleSpace")
        .put("min", "0.001")
        .put("max", "0.5");
    params.addObject().put("name", "optimizer").put("parameterType", "categorical");
    ObjectNode status = e.putObject("status");
    ArrayNode conds = status.putArray("conditions");
    conds.addObject().put("type", "Created").put("status", "True");
    conds.addObject().put("type", "Running").put("status", "False");
    conds
        .addObject()
        .put("type", "Succeeded")
        .put("status", "True")
        .put("message", "Experiment has succeeded because max trial count has reached");
    status.put("trials", 4).put("trialsSucceeded", 4);
    ObjectNode best = status.putObject("currentOptimalTrial");
    best.put("bestTrialName", "tune-lr-c");
    ArrayNode ba = best.putArray("parameterAssignments");
    ba.addObject().put("name", "lr").put("value", lr[2]);
    ba.addObject().put("name", "optimizer").put("value", opt[2]);
    metric(best.putObject("observation").putArray("metrics"), acc[2]);
    keel.store()
        .resources()
        .create(
            new ResourceRecord(
                "Experiment", "default", "tune-lr", uid, null, 1, Json.write(e), t0, t0));
    for (int i = 0; i < 4; i++) {
      String name = "tune-lr-" + (char) ('a' + i);
      ObjectNode t = Json.json().createObjectNode();
      t.put("apiVersion", "kubeflow.org/v1beta1").put("kind", "Trial");
      t.putObject("metadata").put("name", name).put("namespace", "default");
      ArrayNode a = t.putObject("spec").putArray("parameterAssignments");
      a.addObject().put("name", "lr").put("value", lr[i]);
      a.addObject().put("name", "optimizer").put("value", opt[i]);
      ObjectNode ts = t.putObject("status");
      ts.putArray("conditions").addObject().put("type", "Succeeded").put("status", "True");
      metric(ts.putObject("observation").putArray("metrics"), acc[i]);
      Instant at = t0.plusSeconds(60L * (i + 1));
      keel.store()
          .resources()
          .create(
              new ResourceRecord(
                  "Trial", "default", name, "trial-uid-" + i, uid, 1, Json.write(t), at, at));
    }
  }

  static void metric(ArrayNode metrics, double v) {
    metrics
        .addObject()
        .put("name", "accuracy")
        .put("min", Double.toString(v))
        .put("max", Double.toString(v))
        .put("latest", Double.toString(v));
  }
}
