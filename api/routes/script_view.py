"""The reviewer's view of a call-script draft: an HTML graph page and its Mermaid source (issue 8).

Same access as reading a draft (any staff role). The page is self-contained, so the response forbids every
external asset and is never cached by a shared cache: it shows a draft under review.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, PlainTextResponse
from pydantic import ValidationError

from api.deps import SessionDep, StaffDep
from core.domain import Finding
from tools.call_script.diagram import to_html, to_mermaid
from tools.call_script.model import CallScript
from tools.campaign_api.drafts import DraftView, get_draft
from tools.campaign_api.errors import Conflict

router = APIRouter(prefix="/v1", tags=["reviews"])

_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _call_script_draft(session: SessionDep, draft_id: str) -> tuple[DraftView, CallScript]:
    """The draft and its script: 404 unknown draft, 409 another channel or a stored script that does not load."""
    draft = get_draft(session, draft_id)
    if draft.channel != "call_script":
        raise Conflict("not_call_script", f"draft {draft_id} is a {draft.channel} draft, not a call script")
    try:
        return draft, CallScript.model_validate(draft.content.get("script"))
    except ValidationError as exc:
        raise Conflict(
            "invalid_call_script",
            f"draft {draft_id} v{draft.version} does not hold a valid call script: {exc}",
        ) from exc


def _findings(draft: DraftView) -> list[Finding]:
    try:
        return [Finding.model_validate(finding) for finding in draft.findings]
    except ValidationError as exc:
        raise Conflict("invalid_findings", f"draft {draft.draft_id} has malformed findings: {exc}") from exc


@router.get(
    "/drafts/{draft_id}/script", response_class=HTMLResponse, summary="A call-script draft as a graph"
)
def script_page(draft_id: str, session: SessionDep, _user: StaffDep) -> HTMLResponse:
    """Stage swimlanes of node cards with routes, findings pinned to their node, and the Mermaid source."""
    draft, script = _call_script_draft(session, draft_id)
    return HTMLResponse(to_html(script, findings=_findings(draft)), headers=_HEADERS)


@router.get("/drafts/{draft_id}/script.mmd", response_class=PlainTextResponse, summary="Mermaid source")
def script_mermaid(draft_id: str, session: SessionDep, _user: StaffDep) -> PlainTextResponse:
    """The call-script draft as a Mermaid flowchart, to paste into any Mermaid viewer."""
    _draft, script = _call_script_draft(session, draft_id)
    return PlainTextResponse(to_mermaid(script), headers={"Cache-Control": "no-store"})
