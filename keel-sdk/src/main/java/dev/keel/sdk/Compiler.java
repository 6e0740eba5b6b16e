package dev.keel.sdk;

import dev.keel.core.Problem;
import dev.keel.core.ValidationException;
import dev.keel.pipelines.spec.PipelineDocument;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/** Turns a Java pipeline definition into its PipelineSpec, for {@code keel compile CLASS}. */
public final class Compiler {
  private static final String SHAPES =
      "implement dev.keel.sdk.PipelineDefinition (with a public no-argument constructor) or have"
          + " 'public static PipelineDocument pipeline()'";

  private Compiler() {}

  /**
   * Loads {@code className} and asks it for its pipeline: a {@link PipelineDefinition} with a
   * public no-argument constructor, or a class with {@code public static PipelineDocument
   * pipeline()}.
   *
   * @param className the fully qualified name of the class
   * @param loader where to load it from
   * @return the pipeline the class defines
   * @throws ValidationException saying what is wrong with the class, or the pipeline's problems
   */
  public static PipelineDocument compile(String className, ClassLoader loader) {
    if (className == null || className.isBlank()) {
      throw fail("a class name is required, such as com.example.MyPipeline");
    }
    Class<?> type;
    try {
      type = Class.forName(className, true, loader);
    } catch (ClassNotFoundException e) {
      throw fail(
          "no class '"
              + className
              + "' on the classpath; give its fully qualified name and put its jar or classes"
              + " folder on the classpath");
    } catch (LinkageError e) {
      throw fail("class '" + className + "' cannot be loaded: " + e);
    }
    if (!Modifier.isPublic(type.getModifiers())) {
      throw fail(className + " must be public");
    }
    if (PipelineDefinition.class.isAssignableFrom(type)) {
      if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
        throw fail(className + " is abstract; name a concrete class that implements it");
      }
      Constructor<?> ctor;
      try {
        ctor = type.getConstructor();
      } catch (NoSuchMethodException e) {
        throw fail(
            className
                + " implements PipelineDefinition but has no public no-argument constructor;"
                + " add one");
      }
      Object definition = call(className, () -> ctor.newInstance());
      return nonNull(
          className, call(className, () -> ((PipelineDefinition) definition).pipeline()));
    }
    Method m;
    try {
      m = type.getMethod("pipeline");
    } catch (NoSuchMethodException e) {
      throw fail(className + " must " + SHAPES);
    }
    if (!Modifier.isStatic(m.getModifiers())) {
      throw fail(
          className
              + ".pipeline() is not static; make it static or implement"
              + " dev.keel.sdk.PipelineDefinition");
    }
    if (!PipelineDocument.class.isAssignableFrom(m.getReturnType())) {
      throw fail(
          className
              + ".pipeline() returns "
              + m.getReturnType().getName()
              + "; it must return dev.keel.pipelines.spec.PipelineDocument (Pipeline.build())");
    }
    return nonNull(className, (PipelineDocument) call(className, () -> m.invoke(null)));
  }

  private interface Reflective<T> {
    T get() throws ReflectiveOperationException;
  }

  private static <T> T call(String className, Reflective<T> action) {
    try {
      return action.get();
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ValidationException v) {
        throw v;
      }
      throw fail(className + " failed to build its pipeline: " + describe(cause));
    } catch (ReflectiveOperationException e) {
      throw fail("cannot create " + className + ": " + describe(e));
    } catch (ValidationException e) {
      throw e;
    } catch (RuntimeException e) {
      throw fail(className + " failed to build its pipeline: " + describe(e));
    }
  }

  private static PipelineDocument nonNull(String className, PipelineDocument doc) {
    if (doc == null) {
      throw fail(className + ".pipeline() returned null; return Pipeline...build()");
    }
    return doc;
  }

  private static String describe(Throwable t) {
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  private static ValidationException fail(String reason) {
    return new ValidationException(new Problem("CLASS", reason));
  }
}
