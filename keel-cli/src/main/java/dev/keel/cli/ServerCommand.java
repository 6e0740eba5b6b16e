package dev.keel.cli;

import dev.keel.access.Access;
import dev.keel.access.Authenticator;
import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import dev.keel.pipelines.EngineListener;
import dev.keel.server.KeelServer;
import dev.keel.store.RunRecord;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
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
          "token (one printed token; default), users (built-in users and their API tokens) or"
              + " header (a trusted proxy sets --user-header).")
  String auth;

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

  @Override
  public Integer call() throws Exception {
    EngineListener log =
        new EngineListener() {
          @Override
          public void runChanged(RunRecord run) {
            System.out.println("run " + run.id() + " (" + run.displayName() + ") " + run.state());
          }
        };
    try (Session s = new Session(storeOptions, parallelism, imageMap, true, log)) {
      Access access = new Access(s.store, Clock.systemUTC());
      Authenticator authenticator =
          switch (auth) {
            case "token" ->
                Authenticator.token(
                    token != null ? token : System.getenv("KEEL_TOKEN"), access, Clock.systemUTC());
            case "users" -> Authenticator.users(access, Clock.systemUTC());
            case "header" ->
                Authenticator.header(userHeader, userPrefix, access, Clock.systemUTC());
            default ->
                throw new ValidationException(
                    List.of(new Problem("--auth", "'" + auth + "' is not token, users or header")));
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
              .version(Keel.class.getPackage().getImplementationVersion())
              .start();
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
