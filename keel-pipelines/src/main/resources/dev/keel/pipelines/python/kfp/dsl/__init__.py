"""The `kfp.dsl` names component code uses at run time: artifact types, Input/Output
annotations, InputPath/OutputPath, PipelineTaskFinalStatus and a pass-through @component."""

import os
from typing import Any, Dict, Generic, List, NamedTuple, Optional, TypeVar  # noqa: F401

T = TypeVar("T")

_SCHEMES = (("gs://", "/gcs/"), ("minio://", "/minio/"), ("s3://", "/s3/"))


def _path_of(uri: str) -> str:
    if uri.startswith("file://"):
        from urllib.parse import unquote
        return unquote(uri[len("file://"):])
    for scheme, prefix in _SCHEMES:
        if uri.startswith(scheme):
            return prefix + uri[len(scheme):]
    return uri


_OUTPUT_ROOT = None


def get_uri(suffix: str = "") -> str:
    """A URI for a new artifact of the running task: a fresh path under the task's folder."""
    import uuid
    root = os.path.join(_OUTPUT_ROOT or os.getcwd(), uuid.uuid4().hex)
    os.makedirs(root, exist_ok=True)
    return "file://" + os.path.join(root, suffix or "artifact")


class Artifact:
    """An artifact: a name, a URI, metadata, and the local path the URI maps to."""

    schema_title = "system.Artifact"
    schema_version = "0.0.1"

    def __init__(self, name: Optional[str] = None, uri: Optional[str] = None,
                 metadata: Optional[Dict] = None) -> None:
        self.name = name or ""
        self.uri = uri or ""
        self.metadata = metadata or {}
        self._path = None

    @property
    def path(self) -> str:
        return self._path if self._path is not None else _path_of(self.uri)

    @path.setter
    def path(self, path: str) -> None:
        self._path = path

    def _get_path(self) -> str:
        return self.path

    def _set_path(self, path: str) -> None:
        self._path = path

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, uri={self.uri!r}, metadata={self.metadata!r})"


class Dataset(Artifact):
    schema_title = "system.Dataset"


class Model(Artifact):
    schema_title = "system.Model"

    @property
    def framework(self) -> str:
        return self.metadata.get("framework", "")

    @framework.setter
    def framework(self, framework: str) -> None:
        self.metadata["framework"] = framework


class Metrics(Artifact):
    schema_title = "system.Metrics"

    def log_metric(self, metric: str, value: float) -> None:
        self.metadata[metric] = value


class ClassificationMetrics(Artifact):
    schema_title = "system.ClassificationMetrics"

    def log_roc_data_point(self, fpr: float, tpr: float, threshold: float) -> None:
        self.metadata.setdefault("confidenceMetrics", []).append(
            {"confidenceThreshold": threshold, "recall": tpr, "falsePositiveRate": fpr})

    def log_roc_curve(self, fpr: List[float], tpr: List[float], threshold: List[float]) -> None:
        if not (len(fpr) == len(tpr) == len(threshold)):
            raise ValueError("fpr, tpr and threshold must have the same length")
        for f, t, th in zip(fpr, tpr, threshold):
            self.log_roc_data_point(f, t, th)

    def set_confusion_matrix_categories(self, categories: List[str]) -> None:
        self._categories = list(categories)
        self._matrix = [[0] * len(categories) for _ in categories]
        self._flush()

    def log_confusion_matrix_row(self, row_category: str, row: List[float]) -> None:
        self._matrix[self._categories.index(row_category)] = list(row)
        self._flush()

    def log_confusion_matrix_cell(self, row_category: str, col_category: str, value: int) -> None:
        self._matrix[self._categories.index(row_category)][self._categories.index(col_category)] = value
        self._flush()

    def log_confusion_matrix(self, categories: List[str], matrix: List[List[int]]) -> None:
        self._categories = list(categories)
        self._matrix = [list(r) for r in matrix]
        self._flush()

    def _flush(self) -> None:
        self.metadata["confusionMatrix"] = {
            "annotationSpecs": [{"displayName": c} for c in self._categories],
            "rows": [{"row": r} for r in self._matrix],
        }


class SlicedClassificationMetrics(Artifact):
    schema_title = "system.SlicedClassificationMetrics"

    def _slice(self, slice: str) -> ClassificationMetrics:
        if not hasattr(self, "_slices"):
            self._slices = {}
        return self._slices.setdefault(slice, ClassificationMetrics())

    def load_roc_readings(self, slice: str, readings: List[List[float]]) -> None:
        for fpr, tpr, th in readings:
            self.log_roc_reading(slice, th, tpr, fpr)

    def log_roc_reading(self, slice: str, threshold: float, tpr: float, fpr: float) -> None:
        self._slice(slice).log_roc_data_point(fpr, tpr, threshold)
        self._upd(slice)

    def log_confusion_matrix(self, slice: str, categories: List[str], matrix: List[List[int]]) -> None:
        self._slice(slice).log_confusion_matrix(categories, matrix)
        self._upd(slice)

    def _upd(self, slice: str) -> None:
        self.metadata[slice] = self._slice(slice).metadata


class HTML(Artifact):
    schema_title = "system.HTML"


class Markdown(Artifact):
    schema_title = "system.Markdown"


class _Annotation:
    def __init__(self, kind: str, type_: Any) -> None:
        self.kind = kind
        self.type = type_

    def __repr__(self) -> str:
        return f"{self.kind}[{self.type!r}]"


class _AnnotationFactory:
    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __getitem__(self, type_: Any) -> _Annotation:
        return _Annotation(self.kind, type_)


Input = _AnnotationFactory("Input")
Output = _AnnotationFactory("Output")


class InputPath:
    def __init__(self, type: Any = None) -> None:
        self.type = type


class OutputPath:
    def __init__(self, type: Any = None) -> None:
        self.type = type


class PipelineTaskFinalStatus(NamedTuple):
    state: str
    pipeline_job_resource_name: str
    pipeline_task_name: str
    error_code: Optional[int]
    error_message: Optional[str]


class TaskConfig(dict):
    pass


class EmbeddedInput:
    def __class_getitem__(cls, item):
        return _Annotation("Input", item)


def component(func=None, **kwargs):
    """Running code needs no compilation: the decorator returns the function unchanged."""
    if func is None:
        return lambda f: f
    return func


container_component = component
notebook_component = component


def pipeline(func=None, **kwargs):
    if func is None:
        return lambda f: f
    return func


ARTIFACT_TYPES = {c.schema_title: c for c in (
    Artifact, Dataset, Model, Metrics, ClassificationMetrics, SlicedClassificationMetrics, HTML,
    Markdown)}

PIPELINE_JOB_NAME_PLACEHOLDER = "{{$.pipeline_job_name}}"
PIPELINE_JOB_RESOURCE_NAME_PLACEHOLDER = "{{$.pipeline_job_resource_name}}"
PIPELINE_JOB_ID_PLACEHOLDER = "{{$.pipeline_job_uuid}}"
PIPELINE_TASK_NAME_PLACEHOLDER = "{{$.pipeline_task_name}}"
PIPELINE_TASK_ID_PLACEHOLDER = "{{$.pipeline_task_uuid}}"
PIPELINE_JOB_CREATE_TIME_UTC_PLACEHOLDER = "{{$.pipeline_job_create_time_utc}}"
PIPELINE_JOB_SCHEDULE_TIME_UTC_PLACEHOLDER = "{{$.pipeline_job_schedule_time_utc}}"
PIPELINE_ROOT_PLACEHOLDER = "{{$.pipeline_root}}"
WORKSPACE_PATH_PLACEHOLDER = "{{$.workspace_path}}"

import types as _types  # noqa: E402

__all__ = [n for n, v in dict(globals()).items()
           if not n.startswith("_") and not isinstance(v, _types.ModuleType) and n != "T"]
