package dev.keel.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.pipelines.RunRequest;
import dev.keel.pipelines.spec.PipelineSpecReader;
import dev.keel.server.TestKeel;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * In headless Chromium: a ParallelFor opened level by level while it runs (the loop, then one
 * iteration), a task's log growing in its panel until the task ends, and the runs list's Archived
 * tab. Screenshots go to {@code target/screenshots/} (20-…). Skipped where Chromium or its driver
 * is not installed.
 */
class RunLevelsBrowserTest extends BrowserFixture {
  static final String TOKEN = "levels-browser-token-0123456789";

  /** A loop over two items whose body prints a line every half second for six seconds. */
  static final String LOOP =
      """
      pipelineInfo: {name: loop-of-slow-lines}
      schemaVersion: 2.1.0
      components:
        comp-for-loop-1:
          dag:
            tasks:
              slow:
                componentRef: {name: comp-slow}
                taskInfo: {name: slow}
                inputs:
                  parameters:
                    item: {componentInputParameter: pipelinechannel--loop-item-param-1}
          inputDefinitions:
            parameters:
              pipelinechannel--loop-item-param-1: {parameterType: STRING}
        comp-slow:
          executorLabel: exec-slow
          inputDefinitions:
            parameters:
              item: {parameterType: STRING}
      deploymentSpec:
        executors:
          exec-slow:
            container:
              image: alpine
              command: [sh, -c]
              args:
                - 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo "$0 line $i <ok>"; sleep 0.5; done'
                - "{{$.inputs.parameters['item']}}"
      root:
        dag:
          tasks:
            for-loop-1:
              componentRef: {name: comp-for-loop-1}
              parameterIterator:
                itemInput: pipelinechannel--loop-item-param-1
                items: {raw: '["a", "b"]'}
              taskInfo: {name: for-loop-1}
      """;

  @Override
  TestKeel startServer(TestKeel.Builder builder) {
    return builder.parallelism(2).token(TOKEN).start();
  }

  @Test
  void open_a_running_loop_and_watch_a_tasks_log_grow() throws Exception {
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
    JavascriptExecutor js = (JavascriptExecutor) browser;
    browser.get(keel.server().loginUrl());
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Home"));
    String id =
        keel.engine()
            .submit(
                new RunRequest(
                    PipelineSpecReader.readText(LOOP),
                    Map.of(),
                    "default",
                    "loop-run",
                    null,
                    null));

    // the root: the loop is a double-bordered node with its count and an open button
    browser.get(keel.url() + "/runs/" + id);
    // (while the run runs, the graph is swapped for a new one: elements are found afresh)
    By loop = By.cssSelector("svg.dag g.node[data-node='for-loop-1'][data-kind='loop']");
    wait.until(ExpectedConditions.presenceOfElementLocated(loop));
    assertThat(browser.findElements(By.cssSelector("svg.dag g.node[data-kind='loop'] rect.inner")))
        .hasSize(1);
    assertThat(text(wait, loop)).contains("2 iterations");
    shot("40-levels-root-loop");

    // the loop: its iterations, live
    click(wait, By.cssSelector("svg.dag a.open-dag[data-open='for-loop-1']"));
    wait.until(ExpectedConditions.urlContains("?dag="));
    wait.until(
        ExpectedConditions.presenceOfElementLocated(
            By.cssSelector("svg.dag g.node[data-node='for-loop-1(1)']")));
    assertThat(browser.findElement(By.id("dag-crumbs")).getText())
        .contains("Pipeline")
        .contains("for-loop-1");
    shot("41-levels-loop-iterations");

    // one iteration: its task, running
    click(wait, By.cssSelector("svg.dag a.node-link[data-open='for-loop-1(0)']"));
    By slow = By.cssSelector("svg.dag g.node[data-node='for-loop-1(0)/slow']");
    wait.until(ExpectedConditions.presenceOfElementLocated(slow));
    assertThat(browser.findElement(By.id("dag-crumbs")).getText())
        .contains("for-loop-1")
        .contains("iteration 0");
    js.executeScript("window.keelSamePage = 7;");
    shot("42-levels-iteration");

    // its panel follows the log: it grows while the task runs
    click(wait, slow);
    WebElement log =
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#side pre.log")));
    assertThat(browser.findElement(By.cssSelector("#side .log-note")).getText())
        .contains("keeps its last 64 KiB");
    wait.until(d -> log.getText().contains("a line 3 <ok>"));
    int early = log.getText().length();
    assertThat(log.getText()).doesNotContain("a line 12");
    shot("43-levels-log-growing");
    wait.until(d -> log.getText().contains("a line 8"));
    assertThat(log.getText().length()).isGreaterThan(early);
    js.executeScript("arguments[0].scrollIntoView({block: 'end'});", log);
    shot("44-levels-log-grown");

    // it ends with the task: the last line, a word on how it ended, and the node goes green
    wait.until(d -> d.findElement(By.id("log-end")).getText().contains("Succeeded"));
    assertThat(browser.findElement(By.id("panel-state")).getText()).isEqualTo("Succeeded");
    assertThat(log.getText()).contains("a line 12 <ok>");
    // every line once
    assertThat(log.getText().split("a line 5 ", -1)).hasSize(2);
    wait.until(
        ExpectedConditions.presenceOfElementLocated(
            By.cssSelector("svg.dag g.node.state-succeeded[data-node='for-loop-1(0)/slow']")));
    assertThat(js.executeScript("return window.keelSamePage;")).isEqualTo(7L);
    js.executeScript(
        "arguments[0].scrollIntoView({block: 'end'});", browser.findElement(By.id("log-end")));
    shot("45-levels-log-ended");
    // the page keeps only the last data-cap characters of a followed log, and says so
    js.executeScript(
        "var pre = arguments[0]; pre.setAttribute('data-cap', '100');"
            + " pre.dispatchEvent(new CustomEvent('htmx:sseMessage', {bubbles: true}));",
        log);
    String capped = log.getText();
    assertThat(capped)
        .startsWith(
            "… earlier lines are left out: the page keeps the last 100 characters of the log …")
        .endsWith("a line 12 <ok>")
        .doesNotContain("a line 1 ");
    assertThat(capped.length()).isLessThan(100 + 80);

    // back up to the root by the breadcrumb once the run has succeeded
    wait.until(
        d -> {
          d.navigate().refresh();
          return "SUCCEEDED".equals(d.findElement(By.id("run-state")).getAttribute("data-state"));
        });
    browser.findElement(By.linkText("Pipeline")).click();
    wait.until(
        ExpectedConditions.presenceOfElementLocated(
            By.cssSelector("svg.dag g.node.state-succeeded[data-node='for-loop-1']")));
    assertThat(browser.findElements(By.id("dag-crumbs"))).isEmpty();
    shot("46-levels-root-succeeded");

    // the runs list: active by default; archived runs on their own tab
    keel.store().runs().setStorageState(id, "ARCHIVED");
    browser.get(keel.url() + "/runs");
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Runs"));
    assertThat(browser.findElement(By.tagName("main")).getText()).doesNotContain("loop-run");
    browser.findElement(By.id("runs-archived")).click();
    wait.until(ExpectedConditions.urlContains("archived=true"));
    assertThat(browser.findElement(By.cssSelector("table.runs")).getText()).contains("loop-run");
    shot("47-runs-archived");
  }

  /** The text of what {@code by} finds, found again if a live update replaced it meanwhile. */
  static String text(WebDriverWait wait, By by) {
    return wait.until(
        d -> {
          try {
            return d.findElement(by).getText();
          } catch (StaleElementReferenceException | NoSuchElementException e) {
            return null;
          }
        });
  }

  /** Clicks what {@code by} finds, found again if a live update replaced it meanwhile. */
  static void click(WebDriverWait wait, By by) {
    wait.until(
        d -> {
          try {
            d.findElement(by).click();
            return true;
          } catch (StaleElementReferenceException | NoSuchElementException e) {
            return false;
          }
        });
  }
}
