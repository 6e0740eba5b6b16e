package dev.keel.cli;

import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineSpecWriter;
import dev.keel.sdk.Compiler;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel compile CLASS}: writes the YAML of a pipeline defined with the Java DSL. */
@Command(
    name = "compile",
    mixinStandardHelpOptions = true,
    description = "Compile a Java DSL pipeline class to KFP pipeline YAML.")
final class CompileCommand implements Callable<Integer> {
  @Parameters(
      paramLabel = "CLASS",
      description = "Class implementing dev.keel.sdk.PipelineDefinition.")
  String className;

  @Option(
      names = {"--classpath", "-cp"},
      paramLabel = "PATH",
      description = "Jars and folders holding CLASS, separated by ':' (default: Keel's own).")
  String classpath;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write the YAML here instead of standard output.")
  Path output;

  @Override
  public Integer call() throws IOException {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (classpath != null && !classpath.isBlank()) {
      List<URL> urls = new ArrayList<>();
      for (String part : classpath.split(java.io.File.pathSeparator)) {
        if (!part.isBlank()) {
          urls.add(Path.of(part).toAbsolutePath().toUri().toURL());
        }
      }
      loader = new URLClassLoader(urls.toArray(URL[]::new), loader);
    }
    PipelineDocument doc = Compiler.compile(className, loader);
    String yaml = PipelineSpecWriter.toYaml(doc);
    if (output == null) {
      System.out.print(yaml);
    } else {
      Files.writeString(output, yaml);
      System.out.println("wrote " + output);
    }
    return 0;
  }
}
