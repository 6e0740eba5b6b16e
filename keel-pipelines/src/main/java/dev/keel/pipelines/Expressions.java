package dev.keel.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.CelValidationResult;
import dev.cel.common.CelVarDecl;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.keel.core.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * KFP's CEL expressions (kfp.md B.9): trigger conditions over a task's inputs ({@code
 * inputs.parameter_values['x'] == 'heads'}) and parameter selectors over one value ({@code
 * parseJson(string_value)["key"]}), with KFP's {@code parseJson} function. Compiled programs are
 * cached by expression text.
 */
final class Expressions {
  private static final CelCompiler COMPILER =
      CelCompilerFactory.standardCelCompilerBuilder()
          .addVar("inputs", SimpleType.DYN)
          .addVar("string_value", SimpleType.STRING)
          .addFunctionDeclarations(
              CelFunctionDecl.newFunctionDeclaration(
                  "parseJson",
                  CelOverloadDecl.newGlobalOverload(
                      "parseJson_string", SimpleType.DYN, SimpleType.STRING)))
          .build();

  private static final CelRuntime RUNTIME =
      CelRuntimeFactory.standardCelRuntimeBuilder()
          .addFunctionBindings(
              CelFunctionBinding.from(
                  "parseJson_string", String.class, text -> toCel(Json.parse(text))))
          .build();

  private static final Map<String, CelRuntime.Program> PROGRAMS = new ConcurrentHashMap<>();
  private static final Pattern INPUT_REF =
      Pattern.compile("inputs\\.parameter_values\\[\\s*(['\"])(.*?)\\1\\s*\\]");

  private Expressions() {}

  /**
   * Evaluates a trigger condition against a task's resolved input parameters.
   *
   * @throws IllegalArgumentException naming the expression when it does not compile, fails, or is
   *     not a boolean
   */
  static boolean condition(String expression, Map<String, JsonNode> parameters) {
    // Each inputs.parameter_values['x'] becomes a variable of the value's own type, so that the
    // checker resolves int(...) and double(...) for it; a dynamic type would pin them to their
    // identity overloads.
    Matcher m = INPUT_REF.matcher(expression);
    StringBuilder rewritten = new StringBuilder();
    Map<String, Object> vars = new LinkedHashMap<>();
    StringBuilder signature = new StringBuilder();
    Map<String, String> names = new LinkedHashMap<>();
    while (m.find()) {
      String input = m.group(2);
      JsonNode value = parameters.get(input);
      if (value == null) {
        throw new IllegalArgumentException(
            "condition '" + expression + "' reads input '" + input + "', which has no value");
      }
      String var = names.computeIfAbsent(input, k -> "_kfp_input_" + names.size());
      vars.put(var, toCel(value));
      m.appendReplacement(rewritten, var);
    }
    m.appendTail(rewritten);
    List<CelVarDecl> decls = new ArrayList<>();
    for (Map.Entry<String, String> e : names.entrySet()) {
      CelType type = typeOf(parameters.get(e.getKey()));
      decls.add(CelVarDecl.newVarDeclaration(e.getValue(), type));
      signature.append(e.getValue()).append(':').append(type.name()).append(';');
    }
    String text = rewritten.toString();
    CelRuntime.Program program =
        PROGRAMS.computeIfAbsent(
            signature + text,
            k ->
                compile(
                    text,
                    expression,
                    COMPILER.toCompilerBuilder().addVarDeclarations(decls).build()));
    Object result;
    try {
      result = program.eval(vars);
    } catch (CelEvaluationException e) {
      throw new IllegalArgumentException(
          "condition '" + expression + "' failed: " + e.getMessage(), e);
    }
    if (!(result instanceof Boolean b)) {
      throw new IllegalArgumentException(
          "condition '" + expression + "' gave " + result + ", not a boolean");
    }
    return b;
  }

  private static CelType typeOf(JsonNode v) {
    if (v == null || v.isNull()) {
      return SimpleType.NULL_TYPE;
    }
    if (v.isTextual()) {
      return SimpleType.STRING;
    }
    if (v.isBoolean()) {
      return SimpleType.BOOL;
    }
    if (v.isNumber()) {
      return SimpleType.DOUBLE;
    }
    if (v.isArray()) {
      return ListType.create(SimpleType.DYN);
    }
    return MapType.create(SimpleType.STRING, SimpleType.DYN);
  }

  /** Applies a parameter expression selector to a value, as KFP does for ParallelFor items. */
  static JsonNode select(String expression, JsonNode value) {
    Object result = eval(expression, Map.of("string_value", Json.write(value)));
    return Json.json().valueToTree(fromCel(result));
  }

  private static Object eval(String expression, Map<String, ?> vars) {
    CelRuntime.Program program = PROGRAMS.computeIfAbsent(expression, e -> compile(e, e, COMPILER));
    try {
      return program.eval(vars);
    } catch (CelEvaluationException e) {
      throw new IllegalArgumentException(
          "expression '" + expression + "' failed: " + e.getMessage(), e);
    }
  }

  private static CelRuntime.Program compile(String text, String expression, CelCompiler compiler) {
    CelValidationResult result = compiler.compile(text);
    if (result.hasError()) {
      throw new IllegalArgumentException(
          "expression '" + expression + "' does not compile: " + result.getErrorString());
    }
    try {
      CelAbstractSyntaxTree ast = result.getAst();
      return RUNTIME.createProgram(ast);
    } catch (Exception e) {
      throw new IllegalArgumentException(
          "expression '" + expression + "' does not compile: " + e.getMessage(), e);
    }
  }

  /**
   * A JSON value as KFP's CEL sees it: a protobuf {@code Value}, so every number is a double
   * (conditions say {@code int(...)} or {@code double(...)}), lists and maps of the same.
   */
  static Object toCel(JsonNode v) {
    if (v == null || v.isNull()) {
      return dev.cel.common.values.NullValue.NULL_VALUE;
    }
    if (v.isTextual()) {
      return v.textValue();
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isNumber()) {
      return v.doubleValue();
    }
    if (v.isArray()) {
      List<Object> list = new ArrayList<>();
      v.forEach(x -> list.add(toCel(x)));
      return list;
    }
    Map<String, Object> map = new LinkedHashMap<>();
    v.fields().forEachRemaining(e -> map.put(e.getKey(), toCel(e.getValue())));
    return map;
  }

  private static Object fromCel(Object v) {
    if (v instanceof dev.cel.common.values.NullValue) {
      return null;
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put(String.valueOf(k), fromCel(x)));
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(x -> out.add(fromCel(x)));
      return out;
    }
    if (v instanceof com.google.common.primitives.UnsignedLong u) {
      return u.bigIntegerValue();
    }
    return v;
  }
}
