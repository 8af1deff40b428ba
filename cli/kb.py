"""`mbrain kb`: ingest and search the policy knowledge base."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.options import JsonOpt
from cli.output import clean_errors, emit, fail

kb_app = typer.Typer(help="The policy knowledge base.", no_args_is_help=True)


@kb_app.command("ingest")
def kb_ingest(as_json: JsonOpt = False) -> None:
    """Index the corpus; only new or changed documents are embedded again."""
    from cli.output import progress_printer
    from core.settings import get_settings
    from tools.policy_kb.index import KnowledgeBase

    with clean_errors():
        progress = None if as_json else progress_printer("knowledge base")
        report = KnowledgeBase(get_settings().kb_dir).ingest(progress)
    emit(report, as_json=as_json)


@kb_app.command("search")
def kb_search(
    query: Annotated[str, typer.Argument(help="The question, in Chinese.")],
    k: Annotated[int, typer.Option("--k", help="How many passages.")] = 5,
    doc_type: Annotated[
        str | None, typer.Option(help="regulation | internal_policy | product_sheet | brand_guide")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Search the knowledge base; each hit carries doc_id, title, section, text, score and citation."""
    from core.settings import get_settings
    from tools.policy_kb.index import KnowledgeBase

    if k < 1:
        fail("--k must be at least 1")
    with clean_errors():
        hits = KnowledgeBase(get_settings().kb_dir).search(query, k, doc_type=doc_type)
    emit([h.model_dump(mode="json") for h in hits], as_json=as_json, human=lambda rows: "\n".join(
        f"{h['score']:.3f} {h['citation']} — {h['title']} {h['section']}" for h in rows))  # fmt: skip
