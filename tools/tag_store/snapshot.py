"""Frozen audiences: every selected customer id written once to Parquet, and exports with masked ids.

``freeze`` runs the store's own selection SQL (``compile_where`` plus the policy exclusion CASE, the same pieces
``TagStore.select`` uses) over a read-only connection and writes ALL ids that survive every exclusion with DuckDB
``COPY``, next to a JSON manifest (expression, context, size, SHA-256). A snapshot is immutable: freezing twice
under one name is refused, and ``export`` re-checks the file's hash before reading it.

``export`` never writes raw customer ids. Each id becomes ``masked_id`` = the first 32 hex digits of
HMAC-SHA256(key, decimal id), computed inside DuckDB; rows are ordered by the masked value so the file does not
even leak id order. Only a holder of the key (the bank) can map a masked id back, by recomputing it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Literal

import duckdb
from pydantic import BaseModel, ConfigDict

from core.domain import ProductType
from tools.tag_store.compile import ParamBag, compile_where
from tools.tag_store.errors import TagStoreError
from tools.tag_store.exclusions import (
    ExtraExclusions,
    RiskLevel,
    SelectionContext,
    applicable_steps,
    exclusion_case,
)
from tools.tag_store.nodes import AudienceExpression
from tools.tag_store.store import TagStore

ExportFormat = Literal["csv", "parquet"]
MASKED_ID_HEX = 32
MIN_KEY_BYTES = 16
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_HMAC_BLOCK = 64  # SHA-256 block size in bytes (RFC 2104)


class SnapshotError(TagStoreError):
    """A snapshot cannot be written or read: bad name, already frozen, tampered file, bad key or format."""


class SnapshotInfo(BaseModel):
    """A frozen audience: the Parquet file of customer ids, how many, and its SHA-256."""

    model_config = ConfigDict(frozen=True)

    path: Path
    size: int
    sha256: str
    as_of: date
    manifest_path: Path


class ExportInfo(BaseModel):
    """An export of a snapshot with masked ids."""

    model_config = ConfigDict(frozen=True)

    path: Path
    rows: int
    format: ExportFormat
    sha256: str


def freeze(
    store: TagStore,
    expression: AudienceExpression,
    *,
    product_type: ProductType | None,
    channels: list[str],
    extra_excluded: ExtraExclusions | None = None,
    product_risk_level: RiskLevel | None = None,
    out_dir: Path,
    name: str,
) -> SnapshotInfo:
    """Write every id the selection keeps to ``out_dir/<name>.parquet`` (+ ``<name>.json``); never overwrite."""
    if not _NAME.match(name):
        raise SnapshotError(
            f"snapshot name {name!r} must be 1-100 of A-Z a-z 0-9 _ . - (starting alphanumeric)"
        )
    path, manifest_path = out_dir / f"{name}.parquet", out_dir / f"{name}.json"
    if path.exists() or manifest_path.exists():
        raise SnapshotError(
            f"snapshot {name!r} already exists in {out_dir}; a frozen audience is never rewritten"
        )
    ctx = SelectionContext.checked(
        product_type=product_type, channels=channels, product_risk_level=product_risk_level,
        extra=extra_excluded, today=store.today(), frequency_caps=store.frequency_caps,
    )  # fmt: skip
    params = ParamBag()
    where = compile_where(expression, store.catalog, params, today=ctx.today)
    case = exclusion_case(applicable_steps(ctx), ctx, params)
    select = (
        f"SELECT c.customer_id FROM customers AS c WHERE {where} AND ({case}) IS NULL ORDER BY c.customer_id"
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    partial = out_dir / f".{name}.parquet.partial"
    size = _copy(store.path, select, params.values, partial)
    os.replace(partial, path)  # readers never see a half-written snapshot
    digest = file_sha256(path)
    manifest = {
        "name": name, "file": path.name, "size": size, "sha256": digest, "as_of": ctx.today.isoformat(),
        "expression": expression.to_json(), "product_type": product_type, "channels": list(ctx.channels),
        "product_risk_level": product_risk_level, "exclusions": [s.code for s in applicable_steps(ctx)],
    }  # fmt: skip
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return SnapshotInfo(path=path, size=size, sha256=digest, as_of=ctx.today, manifest_path=manifest_path)


def _copy(store_path: Path, select: str, params: dict[str, object], target: Path) -> int:
    if not store_path.is_file():
        raise SnapshotError(f"tag store not found at {store_path}")
    try:
        with closing(duckdb.connect(str(store_path), read_only=True)) as connection:
            connection.execute(f"COPY ({select}) TO {_literal(target)} (FORMAT parquet)", params)
            counted = connection.execute(f"SELECT count(*) FROM read_parquet({_literal(target)})").fetchone()
    except duckdb.Error as exc:
        target.unlink(missing_ok=True)
        raise SnapshotError(f"freezing the audience failed: {exc}") from exc
    return int(counted[0]) if counted else 0


def export(snapshot: SnapshotInfo, fmt: ExportFormat, out: Path, *, key: bytes) -> ExportInfo:
    """Write the snapshot's ids as ``masked_id`` (keyed HMAC, see module doc) to ``out`` as CSV or Parquet."""
    if fmt not in ("csv", "parquet"):
        raise SnapshotError(f"export format must be csv or parquet, not {fmt!r}")
    if len(key) < MIN_KEY_BYTES:
        raise SnapshotError(f"the masking key must be at least {MIN_KEY_BYTES} bytes")
    if not snapshot.path.is_file() or file_sha256(snapshot.path) != snapshot.sha256:
        raise SnapshotError(
            f"snapshot {snapshot.path} is missing or its SHA-256 no longer matches; not exporting"
        )
    inner, outer = _hmac_pads(key)
    masked = (
        f"substr(sha256($outer || unhex(sha256($inner || CAST(CAST(customer_id AS VARCHAR) AS BLOB)))), "
        f"1, {MASKED_ID_HEX})"
    )
    query = f"SELECT {masked} AS masked_id FROM read_parquet({_literal(snapshot.path)}) ORDER BY masked_id"
    options = "FORMAT csv, HEADER true" if fmt == "csv" else "FORMAT parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with closing(duckdb.connect(":memory:")) as connection:
            connection.execute(
                f"COPY ({query}) TO {_literal(out)} ({options})", {"inner": inner, "outer": outer}
            )
    except duckdb.Error as exc:
        raise SnapshotError(f"export to {out} failed: {exc}") from exc
    return ExportInfo(path=out, rows=snapshot.size, format=fmt, sha256=file_sha256(out))


def masked_id(customer_id: int, key: bytes) -> str:
    """The masked form of one id, computed in Python (how the bank maps a masked id back, and how tests check)."""
    return hmac.new(key, str(customer_id).encode(), hashlib.sha256).hexdigest()[:MASKED_ID_HEX]


def load_or_create_key(path: Path) -> bytes:
    """The deployment's masking key, created (32 random bytes, owner-only permissions) on first use."""
    if path.is_file():
        key = path.read_bytes()
        if len(key) < MIN_KEY_BYTES:
            raise SnapshotError(f"masking key {path} is shorter than {MIN_KEY_BYTES} bytes")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key)
    return key


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """RFC 2104 inner and outer padded keys, so DuckDB's sha256 can compute the HMAC in SQL."""
    block = (hashlib.sha256(key).digest() if len(key) > _HMAC_BLOCK else key).ljust(_HMAC_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


def _literal(path: Path) -> str:
    # COPY targets cannot be bound as parameters; quote the path as an SQL string literal.
    return "'" + str(path).replace("'", "''") + "'"
