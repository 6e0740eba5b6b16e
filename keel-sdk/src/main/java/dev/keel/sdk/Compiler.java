package dev.keel.sdk;

import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import dev.keel.pipelines.spec.PipelineDocument;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/** Turns a Java pipeline definition into its PipelineSpec, for {@code keel compile CLASS}. */
public final class Compiler {
  private Compiler() {}

  /**
   * Loads {@code className} and asks it for its pipeline: a {@link PipelineDefinition} with a
   * public no-argument constructor, or a class with {@code public static PipelineDocument
   * pipeline()}.
   *
   * @throws ValidationException saying what is wrong with the class, or the pipeline's problems
   */
  public static PipelineDocument compile(String className, ClassLoader loader) {
    Class<?> type;
    try {
      type = Class.forName(className, true, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new ValidationException(
          new Problem("CLASS", "no class '" + className + "' on the classpath"));
    }
    try {
      if (PipelineDefinition.class.isAssignableFrom(type)) {
        var ctor = type.getConstructor();
        return ((PipelineDefinition) ctor.newInstance()).pipeline();
      }
      Method m = type.getMethod("pipeline");
      if (Modifier.isStatic(m.getModifiers())
          && PipelineDocument.class.isAssignableFrom(m.getReturnType())) {
        return (PipelineDocument) m.invoke(null);
      }
    } catch (NoSuchMethodException e) {
      // fall through to the message below
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof ValidationException v) {
        throw v;
      }
      throw new ValidationException(
          new Problem("CLASS", className + " failed to build its pipeline: " + e.getCause()));
    } catch (ReflectiveOperationException e) {
      throw new ValidationException(
          new Problem("CLASS", "cannot create " + className + ": " + e.getMessage()));
    }
    throw new ValidationException(
        new Problem(
            "CLASS",
            className
                + " must implement dev.keel.sdk.PipelineDefinition (with a public no-argument"
                + " constructor) or have 'public static PipelineDocument pipeline()'"));
  }
}
