"""H5 landing pages: a reviewer's preview of a draft, the public page once published, and its lead form.

The public routes read publications only: a page reaches a customer solely as an approved, published version
(DESIGN §9, nothing is published without an approved review). With A/B variants each visitor is kept on one
variant by a random cookie id (``mb_v``); ``?v=B`` shows a given variant. Every response forbids external assets.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Cookie, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.deps import SessionDep, StaffDep
from core.db import session_scope
from core.models import Publication
from tools.campaign_api.campaigns import get_campaign_row
from tools.campaign_api.drafts import get_draft
from tools.campaign_api.errors import Conflict, InvalidInput, NotFound, WorkflowError
from tools.campaign_api.h5_lead_form import MAX_BODY_BYTES, BodyTooLarge, parse_form_body, validate_lead
from tools.campaign_api.h5_leads import LeadReceipt, LeadView, campaign_leads, lead_hash_key, record_lead
from tools.campaign_api.h5_pages import (
    choose_variant,
    live_variants,
    new_visitor_id,
    submitted_page,
    valid_visitor_id,
)
from tools.campaign_api.rate_limit import SlidingWindowLimiter
from tools.h5 import H5Page, page_from_content, render_h5
from tools.h5.receipt import render_refusal, render_thanks

router = APIRouter(tags=["h5"])

# The page is self-contained (inline CSS, no scripts or images); the header repeats the page's own CSP so a
# proxy that strips meta tags cannot loosen it, and a preview is never indexed or cached by a shared cache.
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_PREVIEW_HEADERS = {**_SECURITY_HEADERS, "Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}
_NO_STORE = {**_SECURITY_HEADERS, "Cache-Control": "no-store"}
VISITOR_COOKIE = "mb_v"
_VISITOR_COOKIE_MAX_AGE_S = 30 * 24 * 3600
LEADS_PER_IP_PER_MINUTE = 10
_FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


class UnsupportedMediaType(WorkflowError):
    status = 415


class RateLimited(WorkflowError):
    status = 429


def _page(content: dict[str, object], where: str) -> H5Page:
    try:
        return page_from_content(dict(content))
    except ValidationError as exc:
        raise Conflict(
            "invalid_h5", f"{where} does not hold a valid H5 page: {exc.errors()[0]['msg']}"
        ) from exc


@router.get("/v1/drafts/{draft_id}/h5", response_class=HTMLResponse, summary="Preview a draft's H5 page")
def preview_draft(draft_id: str, session: SessionDep, _user: StaffDep) -> HTMLResponse:
    """The current version of an H5 draft rendered with a PREVIEW banner (404 unknown, 409 not an H5 draft)."""
    draft = get_draft(session, draft_id)
    if draft.channel != "h5":
        raise Conflict("not_h5", f"draft {draft_id} is a {draft.channel} draft, not an H5 page")
    page = _page(draft.content, f"draft {draft_id} v{draft.version}")
    return HTMLResponse(render_h5(page, preview=True), headers=_PREVIEW_HEADERS)


@router.get("/h5/{campaign_id}", response_class=HTMLResponse, summary="The published H5 page of a campaign")
def public_page(
    campaign_id: str,
    request: Request,
    session: SessionDep,
    v: Annotated[str | None, Query(max_length=1, description="Show this A/B variant (A, B, C).")] = None,
    mb_v: Annotated[str | None, Cookie()] = None,
) -> HTMLResponse:
    """The visitor's variant of the campaign's live H5 page, its form posting to the lead intake; 404 if none."""
    variants = live_variants(session, campaign_id)
    if not variants:
        # Unknown campaign and unpublished page answer alike, so the route reveals nothing about drafts.
        raise NotFound("not_published", f"campaign {campaign_id} has no published H5 page")
    known_visitor = valid_visitor_id(mb_v)
    visitor = known_visitor or new_visitor_id()
    variant = choose_variant(list(variants), campaign_id=campaign_id, visitor_id=visitor, override=v)
    publication = variants[variant]
    page = _page(publication.content, f"publication {publication.id}")
    headers = {**_SECURITY_HEADERS, "ETag": f'"{publication.content_hash}"'}
    if len(variants) > 1:
        # Which page a URL returns depends on the cookie, so no shared cache may hand one visitor's to another.
        headers.update({"Vary": "Cookie", "Cache-Control": "private"})
    html = render_h5(page, preview=False, form_action=_lead_action(campaign_id, publication.id))
    response = HTMLResponse(html, headers=headers)
    if known_visitor is None and len(variants) > 1:
        # The variant is a hash of this random id, so a visitor who keeps the cookie keeps their variant.
        response.set_cookie(
            VISITOR_COOKIE, visitor, max_age=_VISITOR_COOKIE_MAX_AGE_S, path="/h5", httponly=True,
            samesite="lax", secure=request.url.scheme == "https",
        )  # fmt: skip
    return response


def _lead_action(campaign_id: str, publication_id: str) -> str:
    """Where the form posts: the publication id travels along so the lead records the exact page it came from."""
    return f"/h5/{quote(campaign_id, safe='')}/leads?p={quote(publication_id, safe='')}"


@router.post("/h5/{campaign_id}/leads", summary="Send the lead form of a published H5 page")
async def submit_lead(
    campaign_id: str,
    request: Request,
    p: Annotated[
        str | None, Query(max_length=40, description="The publication the form was shown on.")
    ] = None,
) -> Response:
    """Store one lead (201; 200 when the same mobile already sent one within 24 h): HTML, or JSON on request.

    Refusals: 404 no published page, 413 body too large, 415 not a form post, 422 a rule broken (JSON ``reason``
    names it), 429 more than ten posts a minute from one address.
    """
    wants_json = _wants_json(request)
    back = f"/h5/{quote(campaign_id, safe='')}"
    try:
        _check_rate(request)
        body = await _form_body(request)
        # The database work is synchronous; run it off the event loop like FastAPI does for sync routes.
        receipt, variant, after_submit = await run_in_threadpool(_store_lead, campaign_id, p, body)
    except WorkflowError as exc:
        return _refusal(exc, wants_json=wants_json, back_href=back, request=request)
    status = 200 if receipt.duplicate else 201
    if wants_json:
        content = {"status": "received", "lead_id": receipt.lead_id, "duplicate": receipt.duplicate,
                   "variant": variant}  # fmt: skip
        return JSONResponse(content, status_code=status, headers=_NO_STORE)
    return HTMLResponse(render_thanks(after_submit=after_submit, back_href=back), status, headers=_NO_STORE)


@router.get("/v1/campaigns/{campaign_id}/h5-leads", summary="Leads from the campaign's H5 pages")
def h5_leads(campaign_id: str, session: SessionDep, _user: StaffDep) -> list[LeadView]:
    """The campaign's H5 leads, oldest first, mobiles masked (404 unknown campaign)."""
    get_campaign_row(session, campaign_id)
    return campaign_leads(session, campaign_id)


def _store_lead(campaign_id: str, publication_id: str | None, body: bytes) -> tuple[LeadReceipt, str, str]:
    """Validate against the page the visitor saw and store; any refusal rolls the whole transaction back."""
    with session_scope() as session:
        variant, publication = _page_posted_from(session, campaign_id, publication_id)
        form = _page(publication.content, f"publication {publication.id}").lead_form
        lead = validate_lead(form, parse_form_body(body))
        receipt = record_lead(
            session, publication=publication, variant=variant, lead=lead, key=lead_hash_key()
        )
        return receipt, variant, form.after_submit


def _page_posted_from(
    session: Session, campaign_id: str, publication_id: str | None
) -> tuple[str, Publication]:
    """The (variant, publication) the form came from: the ``p`` it names, or the only live page when none."""
    variants = live_variants(session, campaign_id)
    if not variants:
        raise NotFound("not_published", f"campaign {campaign_id} has no published H5 page")
    if publication_id is None:
        if len(variants) > 1:
            raise InvalidInput(
                "page_required", "this campaign runs several H5 variants: send ?p=<publication id>"
            )
        return next(iter(variants.items()))
    found = submitted_page(session, campaign_id, publication_id)
    if found is None:
        raise NotFound(
            "not_published", f"publication {publication_id} is not a live H5 page of {campaign_id}"
        )
    return found


def _check_rate(request: Request) -> None:
    limiter = getattr(request.app.state, "h5_lead_limiter", None)
    if limiter is None:
        # One limiter per app (not per module), so each app instance, and each test, counts on its own.
        limiter = request.app.state.h5_lead_limiter = SlidingWindowLimiter(
            limit=LEADS_PER_IP_PER_MINUTE, window_s=60
        )
    client = request.client.host if request.client else "unknown"
    if not limiter.allow(client):
        raise RateLimited(
            "rate_limited", f"more than {LEADS_PER_IP_PER_MINUTE} lead posts a minute from {client}"
        )


async def _form_body(request: Request) -> bytes:
    """The request body, refused before reading when it is not a form post or announces an oversize body."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != _FORM_CONTENT_TYPE:
        raise UnsupportedMediaType("unsupported_media_type", f"send the form as {_FORM_CONTENT_TYPE}")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BodyTooLarge("body_too_large", f"the form body exceeds {MAX_BODY_BYTES} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise BodyTooLarge("body_too_large", f"the form body exceeds {MAX_BODY_BYTES} bytes")
    return bytes(body)


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "").lower()
    return "application/json" in accept and "text/html" not in accept


def _refusal(exc: WorkflowError, *, wants_json: bool, back_href: str, request: Request) -> Response:
    headers = dict(_NO_STORE)
    if isinstance(exc, RateLimited):
        limiter: SlidingWindowLimiter = request.app.state.h5_lead_limiter
        headers["Retry-After"] = str(
            limiter.retry_after_s(request.client.host if request.client else "unknown")
        )
    if wants_json:
        return JSONResponse({"reason": exc.code, "detail": exc.message}, exc.status, headers=headers)
    return HTMLResponse(render_refusal(exc.code, back_href=back_href), exc.status, headers=headers)
