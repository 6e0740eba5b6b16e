package dev.keel.cli;

import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import dev.keel.pipelines.spec.PipelineDocument;
import dev.keel.pipelines.spec.PipelineReadException;
import dev.keel.pipelines.spec.PipelineSpecReader;
import dev.keel.pipelines.spec.PipelineValidator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code keel validate FILE}: lists every problem of a pipeline file. */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = "Check a KFP pipeline file (YAML or JSON) and list every problem.")
final class ValidateCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", description = "Compiled pipeline: YAML or JSON.")
  Path file;

  @Override
  public Integer call() {
    // the reader names the file in its problems; the validator's are named here
    List<Problem> problems = new ArrayList<>();
    PipelineDocument doc = null;
    try {
      doc = PipelineSpecReader.read(file);
      problems.addAll(validate(doc));
    } catch (PipelineReadException e) {
      // unknown fields, and whatever else is wrong with the rest of the pipeline
      problems.addAll(e.problems());
      if (e.partial() != null) {
        problems.addAll(validate(e.partial()));
      }
    } catch (ValidationException e) {
      problems.addAll(e.problems());
    }
    if (problems.isEmpty()) {
      System.out.println(file + ": valid pipeline '" + doc.name() + "'");
      return 0;
    }
    for (Problem p : problems) {
      System.err.println(p);
    }
    System.err.println(problems.size() + (problems.size() == 1 ? " problem" : " problems"));
    return Keel.EXIT_INVALID;
  }

  private List<Problem> validate(PipelineDocument doc) {
    return PipelineValidator.validate(doc).stream().map(p -> p.under(file.toString())).toList();
  }
}
