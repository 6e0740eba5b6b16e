package dev.keel.server.ui;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium through chromedriver for the dashboard's browser tests: Debian's {@code
 * chromium} and {@code chromium-driver}, which {@code .ci/run} installs; a test is skipped where
 * they are missing. Screenshots go to {@code target/screenshots/}.
 */
final class Chromium {
  static final Path BINARY = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SHOTS = Path.of("target", "screenshots");

  private Chromium() {}

  /** Skips the calling test unless Chromium and its driver are installed. */
  static void assumeInstalled() {
    Assumptions.assumeTrue(
        Files.isExecutable(BINARY) && Files.isExecutable(DRIVER),
        "needs /usr/bin/chromium and /usr/bin/chromedriver (apt-get install chromium"
            + " chromium-driver)");
  }

  /** A new headless browser with a 1280×900 window; the caller quits it. */
  static ChromeDriver start() throws IOException {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BINARY.toString());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,900");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(DRIVER.toString()))
            .usingAnyFreePort()
            .build();
    Files.createDirectories(SHOTS);
    return new ChromeDriver(service, options);
  }

  /** Saves what {@code browser} shows as {@code target/screenshots/NAME.png}. */
  static void shot(WebDriver browser, String name) throws IOException {
    File f = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Files.copy(f.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }
}
