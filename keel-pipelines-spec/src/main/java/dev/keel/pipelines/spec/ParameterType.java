package dev.keel.pipelines.spec;

/** KFP's parameter types ({@code ParameterType.ParameterTypeEnum}). */
public enum ParameterType {
  PARAMETER_TYPE_ENUM_UNSPECIFIED,
  NUMBER_DOUBLE,
  NUMBER_INTEGER,
  STRING,
  BOOLEAN,
  LIST,
  STRUCT,
  TASK_FINAL_STATUS,
  TASK_CONFIG
}
