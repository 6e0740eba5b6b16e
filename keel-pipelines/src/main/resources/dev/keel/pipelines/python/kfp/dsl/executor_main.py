"""Runs one lightweight Python component the way KFP's executor does (kfp.md B.11).

Invoked as `python3 -m kfp.dsl.executor_main --component_module_path FILE --executor_input JSON
--function_to_execute NAME`, exactly as KFP's compiled command line does.
"""

import argparse
import importlib.util
import inspect
import json
import os
import sys
import typing

from kfp import dsl

# pip distribution names whose import name differs
_MODULES = {
    "scikit-learn": "sklearn", "pyyaml": "yaml", "pillow": "PIL", "opencv-python": "cv2",
    "beautifulsoup4": "bs4", "python-dateutil": "dateutil", "protobuf": "google.protobuf",
    "google-cloud-storage": "google.cloud.storage", "tensorflow-cpu": "tensorflow",
    "torch-cpu": "torch", "xgboost-cpu": "xgboost",
}


def _module_of(requirement: str) -> str:
    name = requirement
    for sep in ("==", ">=", "<=", "~=", "!=", ">", "<", "[", ";", " "):
        name = name.split(sep)[0]
    name = name.strip().lower()
    return _MODULES.get(name, name.replace("-", "_"))


def _check_packages() -> None:
    wanted = [p for p in os.environ.get("KEEL_KFP_PACKAGES", "").split("\n") if p.strip()]
    missing = []
    for requirement in wanted:
        module = _module_of(requirement)
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append(f"{requirement} (module {module})")
    if missing:
        print("[keel] packages_to_install not available here, and Keel runs offline: "
              + ", ".join(missing)
              + f". Provide them to {sys.executable} (e.g. Debian's python3-* packages),"
              + " or map this image to a Python that has them (~/.keel/images.yaml).",
              file=sys.stderr)
        sys.exit(3)
    if wanted:
        print("[keel] packages_to_install found locally: " + ", ".join(wanted))


def _artifact(cls, entry: dict):
    title = entry.get("type", {}).get("schemaTitle", "system.Artifact")
    if cls is None or cls is dsl.Artifact:
        cls = dsl.ARTIFACT_TYPES.get(title, dsl.Artifact)
    a = cls(name=entry.get("name", ""), uri=entry.get("uri", ""),
            metadata=dict(entry.get("metadata") or {}))
    return a


def _inner(annotation):
    """The artifact class of Input[T], Output[T], Input[List[T]]; and whether it is a list."""
    t = annotation.type
    origin = typing.get_origin(t)
    if origin in (list, typing.List):
        args = typing.get_args(t)
        return (args[0] if args else dsl.Artifact), True
    return t, False


def _is_final_status(annotation) -> bool:
    return annotation is dsl.PipelineTaskFinalStatus or getattr(annotation, "__name__", "") == "PipelineTaskFinalStatus"


def run(module_path: str, executor_input: dict, function_name: str) -> None:
    spec = importlib.util.spec_from_file_location("ephemeral_component", module_path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["ephemeral_component"] = module
    spec.loader.exec_module(module)
    func = getattr(module, function_name, None)
    if func is None:
        print(f"[keel] the component source defines no function '{function_name}'", file=sys.stderr)
        sys.exit(2)
    func = inspect.unwrap(func)

    inputs = executor_input.get("inputs", {})
    outputs = executor_input.get("outputs", {})
    if outputs.get("outputFile"):
        dsl._OUTPUT_ROOT = os.path.join(os.path.dirname(outputs["outputFile"]), "uris")
    params = inputs.get("parameterValues", {})
    in_artifacts = inputs.get("artifacts", {})
    out_params = outputs.get("parameters", {})
    out_artifacts = outputs.get("artifacts", {})
    produced = {}
    kwargs = {}
    signature = inspect.signature(func)
    for name, p in signature.parameters.items():
        ann = p.annotation
        if isinstance(ann, str):
            ann = eval(ann, vars(module))  # noqa: S307 - annotations of the user's own code
        # a bare artifact class, or a list of them, is an input artifact (as in KFP)
        if isinstance(ann, type) and issubclass(ann, dsl.Artifact):
            ann = dsl.Input[ann]
        elif typing.get_origin(ann) in (list, typing.List) and typing.get_args(ann) \
                and isinstance(typing.get_args(ann)[0], type) \
                and issubclass(typing.get_args(ann)[0], dsl.Artifact):
            ann = dsl.Input[ann]
        if isinstance(ann, dsl._Annotation) and ann.kind == "Input":
            cls, is_list = _inner(ann)
            entries = in_artifacts.get(name, {}).get("artifacts", [])
            if not entries and p.default is not inspect.Parameter.empty:
                kwargs[name] = p.default
            else:
                objs = [_artifact(cls, e) for e in entries]
                kwargs[name] = objs if is_list else (objs[0] if objs else None)
        elif isinstance(ann, dsl._Annotation) and ann.kind == "Output":
            cls, _ = _inner(ann)
            entry = (out_artifacts.get(name, {}).get("artifacts") or [{}])[0]
            a = _artifact(cls, entry)
            os.makedirs(os.path.dirname(a.path) or ".", exist_ok=True)
            produced[name] = a
            kwargs[name] = a
        elif isinstance(ann, dsl.InputPath):
            entries = in_artifacts.get(name, {}).get("artifacts", [])
            if entries:
                kwargs[name] = dsl._path_of(entries[0].get("uri", ""))
            elif name in params:
                kwargs[name] = params[name]
            elif p.default is not inspect.Parameter.empty:
                kwargs[name] = p.default
        elif isinstance(ann, dsl.OutputPath):
            if name in out_params:
                path = out_params[name]["outputFile"]
            else:
                entry = (out_artifacts.get(name, {}).get("artifacts") or [{}])[0]
                a = _artifact(None, entry)
                produced[name] = a
                path = a.path
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            kwargs[name] = path
        elif _is_final_status(ann):
            s = params.get(name, {}) or {}
            err = s.get("error") or {}
            kwargs[name] = dsl.PipelineTaskFinalStatus(
                state=s.get("state"), pipeline_job_resource_name=s.get("pipelineJobResourceName"),
                pipeline_task_name=s.get("pipelineTaskName"), error_code=err.get("code"),
                error_message=err.get("message"))
        elif name in params:
            value = params[name]
            if ann is int and isinstance(value, float) and value.is_integer():
                value = int(value)
            elif ann is float and isinstance(value, int):
                value = float(value)
            kwargs[name] = value
        elif p.default is not inspect.Parameter.empty:
            kwargs[name] = p.default

    result = func(**kwargs)

    output = {"parameterValues": {}, "artifacts": {}}
    if result is not None:
        if hasattr(result, "_fields"):
            values = dict(zip(result._fields, result))
        else:
            values = {"Output": result}
        for key, value in values.items():
            if key in out_params:
                output["parameterValues"][key] = value
            elif key in out_artifacts and isinstance(value, dsl.Artifact):
                produced[key] = value
            elif key in out_artifacts:
                entry = (out_artifacts[key].get("artifacts") or [{}])[0]
                a = _artifact(None, entry)
                os.makedirs(os.path.dirname(a.path) or ".", exist_ok=True)
                with open(a.path, "w") as f:
                    f.write(str(value))
                produced[key] = a
    for key, a in produced.items():
        output["artifacts"][key] = {"artifacts": [
            {"name": a.name or key, "uri": a.uri, "metadata": a.metadata}]}
    output_file = outputs.get("outputFile")
    if output_file:
        os.makedirs(os.path.dirname(output_file) or ".", exist_ok=True)
        with open(output_file, "w") as f:
            json.dump(output, f, default=str)


def main() -> None:
    parser = argparse.ArgumentParser(prog="kfp.dsl.executor_main")
    parser.add_argument("--component_module_path", required=True)
    parser.add_argument("--executor_input", required=True)
    parser.add_argument("--function_to_execute", required=True)
    args, _ = parser.parse_known_args()
    _check_packages()
    run(args.component_module_path, json.loads(args.executor_input), args.function_to_execute)


if __name__ == "__main__":
    main()
