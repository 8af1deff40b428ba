"""Request dependencies: database session, the authenticated user, role guards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Header, HTTPException
from sqlalchemy.orm import Session

from core.db import session_scope
from tools.campaign_api.users import UserView, authenticate


def get_session() -> Iterator[Session]:
    with session_scope() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def current_user(
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> UserView:
    """The user behind ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``."""
    key = api_key_from_headers(authorization, x_api_key)
    with session_scope() as session:
        user = authenticate(session, key)
    if user is None:
        raise HTTPException(401, detail={"reason": "invalid_api_key", "detail": "unknown or revoked API key"})
    return user


def api_key_from_headers(authorization: str | None, x_api_key: str | None) -> str:
    """The API key a request carries (401 when it carries none); shared with the async voice-bot route."""
    key = x_api_key
    if authorization and authorization.lower().startswith("bearer "):
        key = authorization[7:].strip()
    if not key:
        raise HTTPException(
            401, detail={"reason": "missing_api_key", "detail": "send Authorization: Bearer <key>"}
        )
    return key


UserDep = Annotated[UserView, Depends(current_user)]


def require_roles(*roles: str) -> Callable[[UserView], UserView]:
    """A dependency that admits only the given roles (403 with the reason otherwise)."""

    def guard(user: UserDep) -> UserView:
        if user.role not in roles:
            raise HTTPException(
                403, detail={"reason": "role_not_allowed", "detail": f"role {user.role} may not do this"}
            )
        return user

    return guard


STAFF = ("marketer", "content_editor", "reviewer", "compliance_officer", "admin")
AUTHORS = ("marketer", "content_editor", "admin")
REVIEWERS = ("reviewer", "compliance_officer")
StaffDep = Annotated[UserView, Depends(require_roles(*STAFF))]
AuthorDep = Annotated[UserView, Depends(require_roles(*AUTHORS))]
ReviewerDep = Annotated[UserView, Depends(require_roles(*REVIEWERS))]
VoicebotDep = Annotated[UserView, Depends(require_roles("voicebot"))]
AuditorDep = Annotated[UserView, Depends(require_roles("admin", "compliance_officer"))]
