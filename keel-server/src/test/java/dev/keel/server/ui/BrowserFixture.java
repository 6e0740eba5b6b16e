package dev.keel.server.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.server.TestKeel;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * A Keel server on 127.0.0.1 ({@link TestKeel}) and a headless Chromium ({@link Chromium}) for each
 * browser test, both closed after it, the browser first. The test is skipped, before either starts,
 * where Chromium or its driver is not installed. A subclass says which server in {@link
 * #startServer}.
 */
abstract class BrowserFixture {
  @TempDir Path dir;
  TestKeel keel;
  WebDriver browser;

  /**
   * Starts this test's server from {@code builder}, the harness's builder on the test's folder and
   * host, saying its parallelism, how callers sign in, and anything else it needs.
   */
  abstract TestKeel startServer(TestKeel.Builder builder) throws Exception;

  @BeforeEach
  void startServerAndBrowser() throws Exception {
    Chromium.assumeInstalled();
    keel = startServer(TestKeel.builder(dir).host("127.0.0.1"));
    browser = Chromium.start();
  }

  @AfterEach
  void stopBrowserAndServer() {
    if (browser != null) {
      browser.quit();
    }
    if (keel != null) {
      keel.close();
    }
  }

  /**
   * Checks that at phone width (390 × 844) nothing on the page is wider than the screen but what
   * scrolls in its own box, saves a screenshot as {@code name}, and gives the window back its size.
   */
  void assertPhoneWidthFits(String name) throws Exception {
    Dimension before = browser.manage().window().getSize();
    browser.manage().window().setSize(new Dimension(390, 844));
    Thread.sleep(300);
    assertThat(
            (Long)
                ((JavascriptExecutor) browser)
                    .executeScript(
                        "return document.documentElement.scrollWidth - window.innerWidth;"))
        .as(name)
        .isLessThanOrEqualTo(1L);
    shot(name);
    browser.manage().window().setSize(before);
    Thread.sleep(200);
  }

  /** Saves what the browser shows as {@code target/screenshots/NAME.png}. */
  void shot(String name) throws Exception {
    Chromium.shot(browser, name);
  }
}
