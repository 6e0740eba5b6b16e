package dev.keel.pipelines.spec;

/** Where an input parameter comes from, with an optional CEL selector applied to the value. */
public record InputParameterSpec(
    TaskOutputParameterSpec taskOutputParameter,
    RuntimeValue runtimeValue,
    String componentInputParameter,
    TaskFinalStatusSpec taskFinalStatus,
    String parameterExpressionSelector) {}
