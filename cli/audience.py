"""`mbrain audience`: live counts of an audience expression, and drafts from a Chinese description."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, cast

import typer

from cli.options import JsonOpt
from cli.output import clean_errors, emit, fail

audience_app = typer.Typer(help="Audiences over the customer tag store.", no_args_is_help=True)

ProductTypeOpt = Annotated[
    str | None, typer.Option("--product-type", help="deposit, wealth, fund, consumer_loan, credit_card, ...")
]
ChannelOpt = Annotated[
    list[str] | None,
    typer.Option("--channel", help="Campaign channel (repeatable): sms, push, call_script..."),
]
RiskLevelOpt = Annotated[
    str | None, typer.Option("--risk-level", help="Product risk level R1-R5 (investment products).")
]


@audience_app.command("count")
def audience_count(
    dsl: Annotated[str, typer.Option("--dsl", help="Audience expression as JSON text.")],
    product_type: ProductTypeOpt = None,
    channel: ChannelOpt = None,
    risk_level: RiskLevelOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Count an expression with every policy exclusion applied (size, exclusions, engine, elapsed ms)."""
    from agents.audience import estimate_audience, expression_from_json
    from tools.tag_store import TagCatalog

    product, risk = _checked(product_type, risk_level)
    with _store_errors(), clean_errors():
        _migrate()
        expression = expression_from_json(dsl, TagCatalog.default())
        estimate = estimate_audience(
            expression, product_type=product, channels=channel or [], product_risk_level=risk
        )
    emit(estimate, as_json=as_json, human=_count_text)


@audience_app.command("draft")
def audience_draft(
    description: Annotated[str, typer.Argument(help="Who to reach, in Chinese.")],
    product_type: ProductTypeOpt = None,
    channel: ChannelOpt = None,
    risk_level: RiskLevelOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Turn a description into an expression (model or offline parser), count it and explain it."""
    from agents.audience import draft_audience

    product, risk = _checked(product_type, risk_level)
    if not description.strip():
        fail("the description is empty")
    with _store_errors(), clean_errors():
        _migrate()
        selection = draft_audience(description, product_type=product, channels=channel or [],
                                   product_risk_level=risk, run_id=f"audience-{uuid.uuid4().hex[:12]}")  # fmt: skip
    excluded = {step["code"]: step["count"] for step in selection.exclusions}
    emit(
        {"dsl": selection.expression, "size": selection.size, "matched": selection.matched, "excluded": excluded,
         "explanation": selection.explanation, "mode": selection.mode, "understood": selection.understood,
         "notes": selection.notes},
        as_json=as_json, human=lambda data: f"{data['size']} 人（{data['mode']}）\n{data['explanation']}",
    )  # fmt: skip


def _checked(product_type: str | None, risk_level: str | None) -> tuple[Any, Any]:
    """Refuse unknown product types and risk levels with one line naming the accepted values."""
    from core.domain import PRODUCT_TYPES

    if product_type is not None and product_type not in PRODUCT_TYPES:
        fail(f"unknown product type {product_type!r}; expected one of {', '.join(PRODUCT_TYPES)}")
    if risk_level is not None and risk_level not in ("R1", "R2", "R3", "R4", "R5"):
        fail(f"unknown risk level {risk_level!r}; expected R1-R5")
    return cast(Any, product_type), cast(Any, risk_level)


@contextmanager
def _store_errors() -> Iterator[None]:
    """A missing or unreadable tag store is an operator problem: one line, not a traceback."""
    from tools.tag_store import TagStoreError

    try:
        yield
    except TagStoreError as exc:
        fail(f"{exc} (run `mbrain init --demo` to build the demo tag store)")


def _migrate() -> None:
    # Operational do-not-call refusals live in the application database; make sure its schema exists.
    from core.db import migrate

    migrate()


def _count_text(data: dict[str, Any]) -> str:
    lines = [
        f"{data['size']} customers ({data['matched']} matched, {data['engine']}, {data['elapsed_ms']} ms)"
    ]
    lines += [f"  - {code}: {count}" for code, count in data["excluded"].items()]
    return "\n".join(lines)


@audience_app.command("export")
def audience_export(
    campaign_id: Annotated[str, typer.Argument(help="A published campaign (its audience snapshot).")],
    out: Annotated[str, typer.Option(help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", help="csv | parquet")] = "csv",
    as_json: JsonOpt = False,
) -> None:
    """Export a published campaign's frozen audience with masked ids (keyed HMAC; the key stays in the data dir)."""
    import json as json_module
    from datetime import date
    from pathlib import Path

    from core.settings import get_settings
    from tools.tag_store.snapshot import ExportFormat, SnapshotInfo, export, load_or_create_key

    if fmt not in ("csv", "parquet"):
        fail(f"unknown format {fmt!r}; expected csv or parquet")
    folder = get_settings().data_dir / "snapshots"
    manifest_path = folder / f"{campaign_id}.json"
    if not manifest_path.exists():
        fail(f"campaign {campaign_id!r} has no frozen audience (it is frozen when the campaign is published)")
    manifest = json_module.loads(manifest_path.read_text(encoding="utf-8"))
    snapshot = SnapshotInfo(
        path=folder / manifest["file"], size=manifest["size"], sha256=manifest["sha256"],
        as_of=date.fromisoformat(manifest["as_of"]), manifest_path=manifest_path,
    )  # fmt: skip
    with clean_errors(), _store_errors():
        key = load_or_create_key(get_settings().data_dir / "export.key")
        info = export(snapshot, cast(ExportFormat, fmt), Path(out), key=key)
    emit(info, as_json=as_json, human=lambda i: f"wrote {i['rows']} masked ids to {i['path']}")
