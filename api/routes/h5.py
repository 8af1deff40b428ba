"""H5 landing pages: a reviewer's preview of a draft, and the public page once its campaign's H5 is published.

The public route reads publications only: a page reaches a customer solely as an approved, published version
(DESIGN §9, nothing is published without an approved review). Both responses forbid every external asset.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from api.deps import SessionDep, StaffDep
from tools.campaign_api.drafts import get_draft
from tools.campaign_api.errors import Conflict, NotFound
from tools.campaign_api.publications import latest_publication
from tools.h5 import H5Page, page_from_content, render_h5

router = APIRouter(tags=["h5"])

# The page is self-contained (inline CSS, no scripts or images); the header repeats the page's own CSP so a
# proxy that strips meta tags cannot loosen it, and a preview is never indexed or cached by a shared cache.
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_PREVIEW_HEADERS = {**_SECURITY_HEADERS, "Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


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
def public_page(campaign_id: str, session: SessionDep) -> HTMLResponse:
    """The latest published, not withdrawn H5 page of the campaign; 404 until one is published."""
    publication = latest_publication(session, campaign_id, "h5")
    if publication is None:
        # Unknown campaign and unpublished page answer alike, so the route reveals nothing about drafts.
        raise NotFound("not_published", f"campaign {campaign_id} has no published H5 page")
    page = _page(publication.content, f"publication {publication.publication_id}")
    headers = {**_SECURITY_HEADERS, "ETag": f'"{publication.content_hash}"'}
    return HTMLResponse(render_h5(page, preview=False), headers=headers)
