package dev.keel.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.server.TestKeel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Artifacts in a real browser (headless Chromium): the confusion matrix, ROC curve and sandboxed
 * Markdown of a real run, two runs compared, and the run form refusing a bad value next to its
 * field. Screenshots go to {@code target/screenshots/}. Skipped without Chromium and its driver.
 */
class ArtifactsBrowserTest extends BrowserFixture {
  static final String TOKEN = "artifacts-browser-token-0123456789";

  @Override
  TestKeel startServer(TestKeel.Builder builder) {
    return builder.parallelism(2).token(TOKEN).start();
  }

  @Test
  void confusion_matrix_roc_markdown_compare_and_the_run_form() throws Exception {
    String first = ArtifactPagesTest.runDemo(keel.engine(), "default", "lr 0.1", 0.1);
    String second = ArtifactPagesTest.runDemo(keel.engine(), "default", "lr 0.5", 0.5);
    String pid = ArtifactPagesTest.storeDemoPipeline(keel.store(), "default");
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
    // the run page redraws its state as the run goes on: an element found may be replaced at once
    wait.ignoring(StaleElementReferenceException.class);
    JavascriptExecutor js = (JavascriptExecutor) browser;

    browser.get(keel.server().loginUrl());
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Home"));

    // the run's node panel: metrics, confusion matrix, ROC curve and the sandboxed frames
    browser.get(keel.url() + "/runs/" + second + "?node=train");
    wait.until(
        ExpectedConditions.presenceOfElementLocated(By.cssSelector("#side table.confusion")));
    WebElement cell =
        browser.findElement(
            By.cssSelector("#side td.cm[data-actual='dog'][data-predicted='bird']"));
    assertThat(cell.getText()).isEqualTo("6");
    assertThat(browser.findElements(By.cssSelector("#side circle.roc-pt"))).hasSize(3);
    assertThat(browser.findElement(By.cssSelector("#side table.metrics")).getText())
        .contains("accuracy")
        .contains("0.9");
    String title = browser.getTitle();
    WebElement notes =
        browser.findElement(By.cssSelector("#side .artifact[data-artifact='notes'] iframe"));
    assertThat(notes.getAttribute("sandbox")).isEmpty();
    browser.switchTo().frame(notes);
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Notes"));
    assertThat(browser.findElement(By.tagName("body")).getText())
        .contains("<script>alert(1)</script>");
    browser.switchTo().defaultContent();
    WebElement report =
        browser.findElement(By.cssSelector("#side .artifact[data-artifact='report'] iframe"));
    browser.switchTo().frame(report);
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Report"));
    browser.switchTo().defaultContent();
    // the report's script did not run: it would have renamed this page
    assertThat(browser.getTitle()).isEqualTo(title).doesNotContain("pwned");
    js.executeScript(
        "document.querySelector('#side .artifact[data-artifact=classes]').scrollIntoView()");
    shot("a1-run-node-classification");

    // the artifact's own page
    browser.findElement(By.linkText("classes")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "classes"));
    assertThat(browser.findElements(By.cssSelector("table.confusion td.cm"))).hasSize(9);
    shot("a2-artifact-confusion-matrix");

    // the runs list: tick both, compare
    browser.get(keel.url() + "/runs");
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Runs"));
    for (String id : List.of(first, second)) {
      browser.findElement(By.cssSelector("input[name='ids'][value='" + id + "']")).click();
    }
    shot("a3-runs-ticked");
    browser.findElement(By.id("compare")).click();
    wait.until(ExpectedConditions.textToBe(By.tagName("h1"), "Compare runs"));
    assertThat(browser.getCurrentUrl()).contains("/runs/compare?ids=");
    assertThat(browser.findElements(By.cssSelector("#compare-roc g.curve"))).hasSize(2);
    assertThat(browser.findElement(By.cssSelector("#compare-parameters tr.differs")).getText())
        .contains("lr")
        .contains("0.1")
        .contains("0.5");
    shot("a4-compare");
    assertPhoneWidthFits("a5-compare-phone");

    // the run form: a bad number is refused next to its field, a good one starts the run
    browser.get(keel.url() + "/pipelines/" + pid + "?namespace=default");
    browser.findElement(By.id("create-run")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("run-form")));
    WebElement lr = browser.findElement(By.name("p.lr"));
    lr.clear();
    lr.sendKeys("fast");
    browser.findElement(By.id("start-run")).click();
    WebElement error =
        wait.until(
            ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector(".field.invalid[data-param='lr'] .field-error")));
    assertThat(error.getText()).isEqualTo("'fast' is not a number");
    shot("a6-run-form-error");
    lr = browser.findElement(By.name("p.lr"));
    lr.clear();
    lr.sendKeys("0.3");
    browser.findElement(By.id("start-run")).click();
    wait.until(ExpectedConditions.urlMatches("/runs/[^/?]+$"));
    wait.until(
        d -> "SUCCEEDED".equals(d.findElement(By.id("run-state")).getAttribute("data-state")));
    shot("a7-run-from-form");
    // Clone opens the form with this run's values
    browser.findElement(By.id("clone")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("run-form")));
    assertThat(browser.findElement(By.name("p.lr")).getAttribute("value")).isEqualTo("0.3");
  }
}
