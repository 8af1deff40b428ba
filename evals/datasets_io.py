"""Load dataset files and write their JSON schemas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from evals.core import DatasetFile

DATASETS_DIR = Path(__file__).resolve().parent / "datasets"
SCHEMAS_DIR = Path(__file__).resolve().parent / "schemas"


class DatasetError(ValueError):
    """A dataset file is missing, not YAML, or has a case that does not fit the suite's case model."""


def dataset_path(kind: str) -> Path:
    return DATASETS_DIR / f"{kind}.yaml"


def load_dataset(kind: str, case_model: type[BaseModel], path: Path | None = None) -> DatasetFile[Any]:
    source = path or dataset_path(kind)
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DatasetError(f"{source}: cannot read dataset: {exc}") from exc
    except yaml.YAMLError as exc:
        raise DatasetError(f"{source}: not valid YAML: {exc}") from exc
    try:
        dataset = DatasetFile[case_model].model_validate(raw)  # type: ignore[valid-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise DatasetError(f"{source}: {where}: {first['msg']} ({exc.error_count()} problem(s))") from exc
    if dataset.kind != kind:
        raise DatasetError(f"{source}: kind is {dataset.kind!r}, expected {kind!r}")
    ids = [getattr(case, "id", None) for case in dataset.cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1 and i is not None})
    if duplicates:
        raise DatasetError(f"{source}: duplicate case ids {duplicates}")
    return dataset


def schema_for(case_model: type[BaseModel]) -> dict[str, Any]:
    return DatasetFile[case_model].model_json_schema()  # type: ignore[valid-type]


def write_schema(kind: str, case_model: type[BaseModel]) -> Path:
    target = SCHEMAS_DIR / f"{kind}.schema.json"
    target.write_text(
        json.dumps(schema_for(case_model), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return target
