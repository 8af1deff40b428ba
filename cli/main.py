"""`mbrain`: the command line of Marketing Brain. Every command that reports has --json."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.audience import audience_app
from cli.check import check
from cli.evals import eval_app
from cli.kb import kb_app
from cli.options import AsUser, JsonOpt, resolve_user
from cli.output import clean_errors, emit
from cli.review import review_app

app = typer.Typer(help="营销大脑 Marketing Brain: plan, draft, check, review and publish bank marketing.",
                  no_args_is_help=True, pretty_exceptions_enable=False)  # fmt: skip
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
app.add_typer(review_app, name="review")
app.add_typer(audit_app, name="audit")
app.add_typer(kb_app, name="kb")
app.add_typer(eval_app, name="eval")
app.add_typer(audience_app, name="audience")
app.command()(check)


@app.command()
def init(
    demo: Annotated[bool, typer.Option("--demo", help="Load the fictional demo bank.")] = False,
    customers: Annotated[int, typer.Option(help="Synthetic customers to generate (≤ 10M).")] = 200_000,
    reset: Annotated[bool, typer.Option("--reset", help="Delete the data dir and rebuild.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Create the data dir and schema; with --demo load users, customers, products and the knowledge base."""
    from cli.demo import init_demo
    from core.db import migrate

    with clean_errors():
        if not demo:
            migrate()
            emit({"migrated": True}, as_json=as_json, human=lambda _: "schema is up to date")
            return
        report = init_demo(customers=customers, reset=reset, show_progress=not as_json)
    emit(report, as_json=as_json, human=_init_text)


def _init_text(report: dict[str, Any]) -> str:
    lines = [f"data dir: {report['data_dir']}", f"customers: {report['customers']:,}",
             f"products: {report['products']}", f"knowledge base: {report['kb']}"]  # fmt: skip
    for user in report["users"]:
        key = user["api_key"] or "(created earlier; key shown once then)"
        lines.append(f"  {user['username']:<11} {user['role']:<19} {key}")
    return "\n".join(lines)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Server processes; one per core for voice-bot pull load.")
    ] = 1,
) -> None:
    """Serve the REST API (OpenAPI docs at /docs)."""
    import uvicorn

    from api.main import create_app
    from core.db import migrate

    if workers == 1:
        uvicorn.run(create_app(), host=host, port=port, log_level="info")
        return
    migrate()  # once, here: the workers must not race each other on the schema
    uvicorn.run("api.main:create_worker_app", factory=True, workers=workers, host=host, port=port,
                log_level="info")  # fmt: skip


@app.command()
def draft(
    brief: Annotated[str, typer.Argument(help="The brief, in Chinese.")],
    as_user: AsUser,
    as_json: JsonOpt = False,
) -> None:
    """Plan and draft a campaign from a brief; stops at human review."""
    from agents.runner import start_campaign

    with clean_errors():
        outcome = start_campaign(brief, author=resolve_user(as_user))
    audience = outcome.audience or {}
    emit(
        {
            "campaign_id": outcome.campaign_id, "status": outcome.status, "question": outcome.question,
            "generation_mode": outcome.generation_mode, "plan": outcome.plan,
            "audience": {k: audience.get(k) for k in ("size", "matched", "sample_ids", "exclusions", "expression",
                                                       "understood", "mode", "notes", "sample", "explanation")},
            "drafts": [d.model_dump() for d in outcome.drafts], "usage": outcome.usage,
        },
        as_json=as_json, human=_draft_text,
    )  # fmt: skip


def _draft_text(data: dict[str, Any]) -> str:
    if data["question"]:
        return f"{data['campaign_id']}: {data['status']} — {data['question']}"
    lines = [f"{data['campaign_id']}: {data['status']} ({data['generation_mode']}), "
             f"audience {data['audience']['size']}"]  # fmt: skip
    lines += [
        f"  {d['draft_id']} {d['channel']:<12} {d['status']:<15} {d['verdict']}" for d in data["drafts"]
    ]
    return "\n".join(lines)


@audit_app.command("verify")
def audit_verify(as_json: JsonOpt = False) -> None:
    """Recompute the audit chain; exits 1 when it is broken."""
    from core.audit import verify_chain
    from core.db import migrate, session_scope

    migrate()
    with session_scope() as session:
        report = verify_chain(session)
    emit(report, as_json=as_json, human=lambda r: (
        f"audit chain ok ({r['events']} events)" if r["ok"]
        else f"audit chain BROKEN at event {r['first_broken_seq']}: {r['problem']}"))  # fmt: skip
    if not report.ok:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
