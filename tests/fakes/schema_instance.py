"""Generate a valid instance of a JSON schema, deterministically.

The fake model answers structured-output and tool-call requests with data built from the request's schema, so
the client-side Pydantic validation of every project schema can be exercised without scripting each reply.
Supported: ``$ref``/``$defs`` (any JSON pointer), ``allOf``/``anyOf``/``oneOf``, type lists and ``nullable``,
``enum``/``const``, objects (``required``, ``additionalProperties``, ``minProperties``), arrays (``items``,
``prefixItems``, ``minItems``/``maxItems``, ``uniqueItems``), numeric bounds (inclusive, exclusive, ``multipleOf``),
strings (``minLength``/``maxLength``, ``pattern``, common ``format`` values). Anything unsatisfiable raises
:class:`SchemaGenerationError` naming the offending path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tests.fakes.schema_scalars import (
    SchemaGenerationError,
    build_integer,
    build_number,
    build_string,
    hint_of,
)

__all__ = ["SchemaGenerationError", "instance_from_schema"]

# Below this depth optional members are filled in and arrays get at least one item; beyond it the generator
# takes the shortest road (null branches, minItems, required keys only) so recursive schemas terminate.
_RICH_DEPTH = 6
_MAX_DEPTH = 40


def instance_from_schema(schema: Mapping[str, Any] | bool) -> Any:
    """Return a value that validates against ``schema`` (the same schema always gives the same value)."""
    root = schema if isinstance(schema, Mapping) else {}
    return _InstanceBuilder(root).build(schema, path="$", depth=0, ordinal=0)


class _InstanceBuilder:
    """Walks one schema document; keeps the root so ``$ref`` pointers can be resolved."""

    def __init__(self, root: Mapping[str, Any]) -> None:
        self._root = root

    def build(self, node: Any, *, path: str, depth: int, ordinal: int) -> Any:
        if depth > _MAX_DEPTH:
            raise SchemaGenerationError(f"{path}: schema recursion has no terminating branch")
        if node is True or node == {}:
            return f"{hint_of(path)}-{ordinal}"
        if not isinstance(node, Mapping):
            raise SchemaGenerationError(f"{path}: schema must be an object or true, got {node!r}")
        if "$ref" in node:
            return self.build(self._resolve(node["$ref"], path), path=path, depth=depth + 1, ordinal=ordinal)
        if "const" in node:
            return node["const"]
        if "enum" in node:
            values = node["enum"]
            if not values:
                raise SchemaGenerationError(f"{path}: empty enum")
            return values[ordinal % len(values)]
        if "allOf" in node:
            merged = self._merge_all_of(node, path)
            return self.build(merged, path=path, depth=depth + 1, ordinal=ordinal)
        for keyword in ("anyOf", "oneOf"):
            if keyword in node:
                branch = self._pick_branch(node[keyword], depth, path)
                return self.build(branch, path=path, depth=depth + 1, ordinal=ordinal)
        kind = self._pick_type(node, depth, path)
        return self._build_typed(kind, node, path=path, depth=depth, ordinal=ordinal)

    def _build_typed(self, kind: str, node: Mapping[str, Any], *, path: str, depth: int, ordinal: int) -> Any:
        if kind == "object":
            return self._build_object(node, path=path, depth=depth, ordinal=ordinal)
        if kind == "array":
            return self._build_array(node, path=path, depth=depth)
        if kind == "string":
            return build_string(node, path, ordinal)
        if kind == "integer":
            return build_integer(node, path, ordinal)
        if kind == "number":
            return build_number(node, path, ordinal)
        if kind == "boolean":
            return ordinal % 2 == 0
        if kind == "null":
            return None
        raise SchemaGenerationError(f"{path}: unknown type {kind!r}")

    def _resolve(self, ref: Any, path: str) -> Any:
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise SchemaGenerationError(f"{path}: only local $ref pointers are supported, got {ref!r}")
        target: Any = self._root
        for raw in ref[1:].split("/")[1:]:
            part = raw.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, Mapping) or part not in target:
                raise SchemaGenerationError(f"{path}: $ref {ref!r} does not resolve")
            target = target[part]
        return target

    def _merge_all_of(self, node: Mapping[str, Any], path: str) -> dict[str, Any]:
        merged: dict[str, Any] = {k: v for k, v in node.items() if k != "allOf"}
        for part in node["allOf"]:
            sub = self._resolve(part["$ref"], path) if isinstance(part, Mapping) and "$ref" in part else part
            if not isinstance(sub, Mapping):
                continue
            for key, value in sub.items():
                if key == "properties":
                    merged["properties"] = {**merged.get("properties", {}), **value}
                elif key == "required":
                    merged["required"] = sorted({*merged.get("required", []), *value})
                else:
                    merged.setdefault(key, value)
        return merged

    def _is_null(self, branch: Any, path: str) -> bool:
        if isinstance(branch, Mapping) and "$ref" in branch:
            branch = self._resolve(branch["$ref"], path)
        return isinstance(branch, Mapping) and branch.get("type") == "null"

    def _pick_branch(self, branches: Any, depth: int, path: str) -> Any:
        if not isinstance(branches, list) or not branches:
            raise SchemaGenerationError(f"{path}: anyOf/oneOf needs a non-empty list")
        nulls = [b for b in branches if self._is_null(b, path)]
        vacuous = [b for b in branches if _is_vacuous(b)]
        others = [b for b in branches if b not in nulls and b not in vacuous]
        # Shallow: show real data; deep: take the null exit so recursive schemas end. A branch that says
        # nothing ({}: LangChain's stand-in for a recursive model) comes last: null is the safer guess.
        preferred = (others + nulls) if depth < _RICH_DEPTH else (nulls + others)
        return (preferred + vacuous)[0]

    def _pick_type(self, node: Mapping[str, Any], depth: int, path: str) -> str:
        declared = node.get("type")
        if isinstance(declared, str):
            return declared
        if isinstance(declared, list) and declared:
            non_null = [t for t in declared if t != "null"]
            if (depth >= _RICH_DEPTH and "null" in declared) or not non_null:
                return "null"
            return str(non_null[0])
        if declared is not None:
            raise SchemaGenerationError(f"{path}: invalid type {declared!r}")
        return _infer_type(node)

    def _build_object(
        self, node: Mapping[str, Any], *, path: str, depth: int, ordinal: int
    ) -> dict[str, Any]:
        properties: Mapping[str, Any] = node.get("properties", {})
        required = set(node.get("required", []))
        extra = node.get("additionalProperties", True)
        rich = depth < _RICH_DEPTH
        result: dict[str, Any] = {}
        for name, sub in properties.items():
            if name in required or rich:
                result[name] = self.build(sub, path=f"{path}.{name}", depth=depth + 1, ordinal=ordinal)
        extra_schema = extra if isinstance(extra, Mapping) else {}
        for name in sorted(required - result.keys()):
            result[name] = self.build(extra_schema, path=f"{path}.{name}", depth=depth + 1, ordinal=ordinal)
        wanted = int(node.get("minProperties", 0))
        if not properties and isinstance(extra, Mapping) and rich:
            wanted = max(wanted, 1)  # a dict[str, X] is more useful with one entry than empty
        index = 0
        while len(result) < wanted:
            if extra is False:
                raise SchemaGenerationError(f"{path}: minProperties exceeds the allowed properties")
            name = f"{hint_of(path)}_{index}"
            index += 1
            if name not in result:
                result[name] = self.build(extra_schema, path=f"{path}.{name}", depth=depth + 1, ordinal=index)
        return result

    def _build_array(self, node: Mapping[str, Any], *, path: str, depth: int) -> list[Any]:
        prefix = node.get("prefixItems", [])
        items = node.get("items", {})
        if isinstance(items, list):  # draft-4 tuple form
            prefix, items = items, node.get("additionalItems", {})
        minimum = int(node.get("minItems", 0))
        # Unconstrained items ({}) carry no information worth inventing; keep such arrays minimal.
        wants_sample = depth < _RICH_DEPTH and not _is_vacuous(items)
        count = max(minimum, len(prefix), 1 if wants_sample else 0)
        if "maxItems" in node:
            count = min(count, int(node["maxItems"]))
        if items is False:
            count = min(count, len(prefix))
        if count < minimum:
            raise SchemaGenerationError(f"{path}: minItems {minimum} cannot be met")
        values = [
            self.build(
                prefix[i] if i < len(prefix) else items, path=f"{path}[{i}]", depth=depth + 1, ordinal=i
            )
            for i in range(count)
        ]
        distinct = {json.dumps(v, sort_keys=True, ensure_ascii=False) for v in values}
        if node.get("uniqueItems") and len(distinct) < len(values):
            raise SchemaGenerationError(f"{path}: cannot generate {count} distinct items")
        return values


def _is_vacuous(schema: Any) -> bool:
    """True for a schema that accepts anything (``{}`` or ``true``)."""
    return schema is True or (isinstance(schema, Mapping) and len(schema) == 0)


def _infer_type(node: Mapping[str, Any]) -> str:
    if {"properties", "additionalProperties", "required", "minProperties"} & node.keys():
        return "object"
    if {"items", "prefixItems", "minItems", "maxItems"} & node.keys():
        return "array"
    if {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"} & node.keys():
        return "number"
    return "string"
