"""`mbrain review`: work the review queue."""

from __future__ import annotations

from typing import Annotated, cast

import typer

from cli.options import AsUser, JsonOpt, resolve_user
from cli.output import clean_errors, emit, fail

review_app = typer.Typer(help="Work the review queue.", no_args_is_help=True)


@review_app.command("list")
def review_list(as_user: AsUser, as_json: JsonOpt = False) -> None:
    """Drafts waiting for review."""
    from core.db import session_scope
    from tools.campaign_api.drafts import review_queue

    resolve_user(as_user)
    with clean_errors(), session_scope() as session:
        queue = [d.model_dump() for d in review_queue(session)]
    emit(queue, as_json=as_json, human=lambda q: "\n".join(
        f"{d['draft_id']} {d['campaign_id']} {d['channel']:<12} v{d['version']} {d['verdict']}" for d in q
    ) or "review queue is empty")  # fmt: skip


MermaidOpt = Annotated[
    bool, typer.Option("--mermaid", help="Print a call-script draft as a Mermaid flowchart.")
]


@review_app.command("show")
def review_show(draft_id: str, as_json: JsonOpt = False, mermaid: MermaidOpt = False) -> None:
    """One draft with its content, findings and claims ledger (every fact linked to its source)."""
    from core.db import session_scope
    from tools.campaign_api.drafts import get_draft
    from tools.claims import stored_ledger

    with clean_errors(), session_scope() as session:
        view = get_draft(session, draft_id)
    if mermaid:
        _print_mermaid(view.channel, view.content, draft_id)
        return
    shown = {**view.model_dump(mode="json"), "ledger": [e.model_dump() for e in stored_ledger(view.content)]}
    emit(shown, as_json=as_json)


def _print_mermaid(channel: str, content: dict[str, object], draft_id: str) -> None:
    from tools.call_script.diagram import to_mermaid
    from tools.call_script.model import CallScript

    if channel != "call_script":
        fail(f"not_call_script: draft {draft_id} is a {channel} draft; --mermaid draws call scripts only")
    with clean_errors():
        typer.echo(to_mermaid(CallScript.model_validate(content.get("script"))), nl=False)


@review_app.command("decide")
def review_decide(
    draft_id: str,
    as_user: AsUser,
    decision: Annotated[str, typer.Option(help="approve | reject | request_changes")],
    comment: Annotated[str | None, typer.Option(help="Reviewer comment.")] = None,
    text: Annotated[str | None, typer.Option(help="Edited text (with approve: edit and approve).")] = None,
    override_reason: Annotated[str | None, typer.Option(help="Compliance officer's override reason.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Approve, reject or request changes; the last decision of a campaign resumes its run."""
    from agents.runner import decide
    from tools.campaign_api.reviews import Decision

    if decision not in ("approve", "reject", "request_changes"):
        fail(f"unknown decision {decision!r}; expected approve, reject or request_changes")
    if text is not None and decision != "approve":
        fail("--text can only be given with --decision approve")
    effective = cast(Decision, "edit" if text is not None else decision)
    with clean_errors():
        result = decide(draft_id, reviewer=resolve_user(as_user), decision=effective, comment=comment,
                        edited_text=text, override_reason=override_reason)  # fmt: skip
    emit(
        result,
        as_json=as_json,
        human=lambda r: (
            f"{r['review']['decision']} recorded; campaign {r['campaign']['campaign_id']} is {r['campaign']['status']}"
        ),
    )
