"""`mbrain check`: one text (--text / --file) or a JSONL batch (--jsonl) through every compliance layer.

Batch lines are ``{"id", "channel", "text", "product_type"?, "meta"?}``; each output line is ``{"id",
"verdict", "product_type", "findings"}`` (plus ``judge_status``), and a bad line yields ``{"id", "error"}``
for that id instead of stopping the batch: one malformed draft must not hide the verdicts of the others.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cli.options import JsonOpt
from cli.output import clean_errors, emit, fail
from core.domain import CHANNELS, PRODUCT_TYPES, Channel, ProductType
from tools.compliance.meta import CheckMeta

if TYPE_CHECKING:
    from tools.compliance.service import CheckOutcome


class BatchLine(BaseModel):
    """One input line of ``--jsonl``."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=200)
    channel: Channel
    text: str = Field(min_length=1)
    product_type: ProductType | None = None
    meta: CheckMeta | None = None


def _outcome_json(outcome: CheckOutcome) -> dict[str, Any]:
    result = outcome.result.model_dump(mode="json")
    return {**result, "judge_status": outcome.judge_status, "judge_notes": outcome.notes}


def _check_line(raw: str, number: int) -> dict[str, Any]:
    """Check one JSONL line; every failure becomes an error line naming the id (or the line number)."""
    from tools.compliance.service import check_text

    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        return {"id": None, "line": number, "error": f"invalid JSON: {exc.msg}"}
    line_id = data.get("id") if isinstance(data, dict) else None
    try:
        line = BatchLine.model_validate(data)
        outcome = check_text(line.text, line.channel, line.product_type, meta=line.meta)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return {"id": line_id, "line": number, "error": f"{where}: {first['msg']}"}
    except ValueError as exc:
        return {"id": line_id, "line": number, "error": str(exc)}
    return {"id": line.id, **_outcome_json(outcome)}


def _run_batch(path: Path) -> None:
    if not path.is_file():
        fail(f"no such file: {path}")
    with path.open(encoding="utf-8") as lines:
        for number, raw in enumerate(lines, start=1):
            if raw.strip():
                typer.echo(json.dumps(_check_line(raw, number), ensure_ascii=False))


def _human(result: dict[str, Any]) -> str:
    lines = [f"verdict: {result['verdict']}  (product type: {result['product_type'] or 'unknown'}, "
             f"judge: {result['judge_status']})"]  # fmt: skip
    for finding in result["findings"]:
        quote = f" 「{finding['span']['quote']}」" if finding.get("span") else ""
        lines.append(f"  [{finding['severity']}] {finding['rule_id']} {finding['message']}{quote}")
    return "\n".join(lines)


def check(
    channel: Annotated[
        str | None, typer.Option(help="sms, push, wechat, article, h5, wecom, call_script, audience")
    ] = None,
    text: Annotated[str | None, typer.Option(help="The text to check.")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Read the text from this UTF-8 file.")] = None,
    jsonl: Annotated[Path | None, typer.Option("--jsonl", help="Batch: one JSON object per line.")] = None,
    product_type: Annotated[str | None, typer.Option(help="deposit, wealth, consumer_loan, ...")] = None,
    meta: Annotated[
        str | None, typer.Option(help='Metadata as JSON, e.g. \'{"send_at": "2026-12-01T22:40"}\'.')
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check marketing text against the compliance rules (deterministic layer + LLM judge when configured)."""
    from tools.compliance.service import check_text

    if jsonl is not None:
        if text is not None or file is not None:
            fail("--jsonl cannot be combined with --text or --file")
        _run_batch(jsonl)
        return
    if (text is None) == (file is None):
        fail("give exactly one of --text, --file or --jsonl")
    if channel is None:
        fail(f"--channel is required; expected one of {', '.join(CHANNELS)}")
    if channel not in CHANNELS:
        fail(f"unknown channel {channel!r}; expected one of {', '.join(CHANNELS)}")
    if product_type is not None and product_type not in PRODUCT_TYPES:
        fail(f"unknown product type {product_type!r}; expected one of {', '.join(PRODUCT_TYPES)}")
    with clean_errors():
        body = text if text is not None else cast(Path, file).read_text(encoding="utf-8")
        if not body.strip():
            fail("the text is empty")
        check_meta = CheckMeta.model_validate_json(meta) if meta is not None else None
        outcome = check_text(
            body, cast(Channel, channel), cast(ProductType | None, product_type), meta=check_meta
        )
    emit(_outcome_json(outcome), as_json=as_json, human=_human)
