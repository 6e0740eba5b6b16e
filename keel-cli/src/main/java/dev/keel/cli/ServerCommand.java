package dev.keel.cli;

import dev.keel.access.Access;
import dev.keel.access.Authenticator;
import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import dev.keel.pipelines.EngineListener;
import dev.keel.server.KeelServer;
import dev.keel.server.OidcException;
import dev.keel.server.OidcLogin;
import dev.keel.store.RunRecord;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code keel server}: the KFP API and Katib's resource API over the data folder, with the engine
 * running the runs it is given, experiments run on the server, and both resumed when a stopped
 * process left them unfinished. Secure by default: it listens on 127.0.0.1 and asks for the token
 * it prints.
 */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description =
        "Serve the KFP v2beta1 API and Katib's resource API, and run pipelines and experiments,"
            + " until interrupted.")
final class ServerCommand implements Callable<Integer> {
  /**
   * A system property that makes the server stop as soon as it is ready: how {@code ./keel} makes
   * the class-data archive for {@code keel server}, from a start that loads what a start loads.
   */
  static final String EXIT_WHEN_READY = "keel.exitWhenReady";

  @Option(
      names = "--host",
      paramLabel = "HOST",
      defaultValue = "127.0.0.1",
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "8080",
      description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--auth",
      paramLabel = "MODE",
      defaultValue = "token",
      description =
          "token (one printed token; default), users (built-in users and their API tokens),"
              + " header (a trusted proxy sets --user-header) or oidc (browsers sign in at an"
              + " OpenID Connect provider; API clients send API tokens or the provider's ID"
              + " tokens).")
  String auth;

  @Option(
      names = "--oidc-issuer",
      paramLabel = "URL",
      description =
          "With --auth oidc: the provider's issuer URL (e.g. http://dex.auth:5556/dex), found by"
              + " discovery at start.")
  String oidcIssuer;

  @Option(
      names = "--oidc-client-id",
      paramLabel = "ID",
      description = "With --auth oidc: Keel's client ID at the provider.")
  String oidcClientId;

  @Option(
      names = "--oidc-client-secret-file",
      paramLabel = "FILE",
      description =
          "With --auth oidc: a file holding the client secret (default: $KEEL_OIDC_CLIENT_SECRET;"
              + " never on the command line).")
  Path oidcClientSecretFile;

  @Option(
      names = "--oidc-user-claim",
      paramLabel = "CLAIM",
      defaultValue = OidcLogin.Settings.DEFAULT_USER_CLAIM,
      description =
          "With --auth oidc: the ID token claim naming the user (default: ${DEFAULT-VALUE}).")
  String oidcUserClaim;

  @Option(
      names = "--oidc-scopes",
      paramLabel = "SCOPES",
      defaultValue = "openid email profile",
      description = "With --auth oidc: the scopes asked for (default: ${DEFAULT-VALUE}).")
  String oidcScopes;

  @Option(
      names = "--oidc-redirect-uri",
      paramLabel = "URL",
      description =
          "With --auth oidc: the callback URL registered at the provider (default: the URL the"
              + " browser reached Keel at, plus "
              + OidcLogin.CALLBACK_PATH
              + "); set it behind a proxy.")
  URI oidcRedirectUri;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description = "The token of --auth token (default: $KEEL_TOKEN, else a random one).")
  String token;

  @Option(
      names = "--user-header",
      paramLabel = "NAME",
      defaultValue = "kubeflow-userid",
      description = "With --auth header: the header naming the user (default: ${DEFAULT-VALUE}).")
  String userHeader;

  @Option(
      names = "--user-prefix",
      paramLabel = "PREFIX",
      defaultValue = "",
      description = "With --auth header: a prefix to strip from it.")
  String userPrefix;

  @Option(
      names = "--parallelism",
      paramLabel = "N",
      description = "Most tasks running at once (default: the number of cores).")
  int parallelism;

  @Option(
      names = "--image-map",
      paramLabel = "FILE",
      description = "YAML mapping container images to local programs.")
  Path imageMap;

  @Mixin StoreOptions storeOptions;

  /**
   * The OIDC sign-in of {@code --auth oidc}: the flags checked, the secret read, the provider found
   * by discovery (an {@link OidcException} saying why not ends the command with exit code 1).
   */
  OidcLogin oidc() throws OidcException {
    List<Problem> problems = new ArrayList<>();
    if (oidcIssuer == null || oidcIssuer.isBlank()) {
      problems.add(new Problem("--oidc-issuer", "--auth oidc needs the provider's issuer URL"));
    } else if (!oidcIssuer.startsWith("https://") && !oidcIssuer.startsWith("http://")) {
      problems.add(new Problem("--oidc-issuer", "'" + oidcIssuer + "' is not an http(s) URL"));
    }
    if (oidcClientId == null || oidcClientId.isBlank()) {
      problems.add(new Problem("--oidc-client-id", "--auth oidc needs Keel's client ID"));
    }
    String secret = null;
    if (oidcClientSecretFile != null) {
      try {
        secret = Files.readString(oidcClientSecretFile).strip();
        warnIfOthersCanRead(oidcClientSecretFile);
      } catch (IOException e) {
        problems.add(
            new Problem(
                "--oidc-client-secret-file", "cannot read " + oidcClientSecretFile + ": " + e));
      }
    } else {
      secret = System.getenv("KEEL_OIDC_CLIENT_SECRET");
    }
    if (problems.isEmpty() && (secret == null || secret.isBlank())) {
      problems.add(
          new Problem(
              "--oidc-client-secret-file",
              "--auth oidc needs the client secret, in a file (--oidc-client-secret-file) or in"
                  + " $KEEL_OIDC_CLIENT_SECRET"));
    }
    if (oidcRedirectUri != null
        && (!oidcRedirectUri.isAbsolute()
            || !List.of("http", "https").contains(oidcRedirectUri.getScheme()))) {
      problems.add(
          new Problem("--oidc-redirect-uri", "'" + oidcRedirectUri + "' is not an http(s) URL"));
    }
    if (!problems.isEmpty()) {
      throw new ValidationException(problems);
    }
    return OidcLogin.discover(
        new OidcLogin.Settings(
            oidcIssuer,
            oidcClientId,
            secret,
            oidcUserClaim,
            List.of(oidcScopes),
            oidcRedirectUri,
            Duration.ofSeconds(10)),
        Clock.systemUTC());
  }

  private static void warnIfOthersCanRead(Path file) {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (perms.contains(PosixFilePermission.OTHERS_READ)
          || perms.contains(PosixFilePermission.GROUP_READ)) {
        System.err.println(
            "warning: "
                + file
                + " (the OIDC client secret) is readable by other users; chmod 600 it");
      }
    } catch (IOException | UnsupportedOperationException e) {
      // not a POSIX file system: nothing to say
    }
  }

  @Override
  public Integer call() throws Exception {
    EngineListener log =
        new EngineListener() {
          @Override
          public void runChanged(RunRecord run) {
            System.out.println("run " + run.id() + " (" + run.displayName() + ") " + run.state());
          }
        };
    OidcLogin oidc = auth.equals("oidc") ? oidc() : null;
    if (oidc == null && (oidcIssuer != null || oidcClientId != null)) {
      throw new ValidationException(
          List.of(new Problem("--auth", "--oidc-issuer and --oidc-client-id need --auth oidc")));
    }
    try (Session s = new Session(storeOptions, parallelism, imageMap, true, log)) {
      Access access = new Access(s.store, Clock.systemUTC());
      Authenticator authenticator =
          switch (auth) {
            case "token" ->
                Authenticator.token(
                    token != null ? token : System.getenv("KEEL_TOKEN"), access, Clock.systemUTC());
            case "users", "oidc" -> Authenticator.users(access, Clock.systemUTC());
            case "header" ->
                Authenticator.header(userHeader, userPrefix, access, Clock.systemUTC());
            default ->
                throw new ValidationException(
                    List.of(
                        new Problem(
                            "--auth", "'" + auth + "' is not token, users, header or oidc")));
          };
      if (!host.equals("127.0.0.1")
          && !host.equals("localhost")
          && !host.equals("::1")
          && authenticator.mode() == Authenticator.Mode.HEADER) {
        System.err.println(
            "warning: --auth header on "
                + host
                + ": anyone who reaches this port directly can"
                + " claim any user; keep it behind the proxy");
      }
      KeelServer server =
          KeelServer.builder(s.store, s.engine, authenticator)
              .host(host)
              .port(port)
              .access(access)
              .experiments(s.runtime, storeOptions.dataDir())
              .oidc(oidc)
              .version(Keel.class.getPackage().getImplementationVersion())
              .start();
      if (oidc != null) {
        System.out.println(
            "signing users in at "
                + oidc.issuer()
                + " as client "
                + oidcClientId
                + "; register the callback "
                + (oidcRedirectUri != null
                    ? oidcRedirectUri
                    : server.url() + OidcLogin.CALLBACK_PATH + " (as browsers reach this server)")
                + " there");
      }
      List<String> resumed = s.engine.resumeAll();
      long startedMs =
          System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
      System.out.println(
          "keel server ready at "
              + server.loginUrl()
              + " (data in "
              + storeOptions.dataDir()
              + "; "
              + (resumed.isEmpty() ? "" : resumed.size() + " unfinished run(s) resumed; ")
              + (server.resumedExperiments().isEmpty()
                  ? ""
                  : server.resumedExperiments().size() + " unfinished experiment(s) resumed; ")
              + "ready "
              + startedMs
              + " ms after start)");
      System.out.flush();
      if (Boolean.getBoolean(EXIT_WHEN_READY)) {
        server.close();
        return 0;
      }
      CountDownLatch stop = new CountDownLatch(1);
      Thread hook =
          new Thread(
              () -> {
                server.close();
                stop.countDown();
              });
      Runtime.getRuntime().addShutdownHook(hook);
      stop.await();
      return 0;
    }
  }
}
