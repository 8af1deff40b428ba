"""Users, roles and API keys."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import append_event
from core.clock import now
from core.models import ApiKey, User
from core.security import generate_api_key, hash_api_key, key_prefix
from tools.campaign_api.errors import Conflict, InvalidInput

Role = Literal["marketer", "content_editor", "reviewer", "compliance_officer", "voicebot", "admin"]
ROLES: tuple[str, ...] = get_args(Role)


class UserView(BaseModel):
    username: str
    display_name: str
    role: Role


def create_user(
    session: Session, *, username: str, role: str, display_name: str, actor: str
) -> tuple[UserView, str]:
    """Create a user with a fresh API key; the key is returned once and stored only hashed."""
    if role not in ROLES:
        raise InvalidInput("unknown_role", f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if session.scalars(select(User).where(User.username == username)).first() is not None:
        raise Conflict("user_exists", f"user {username!r} already exists")
    user = User(username=username, role=role, display_name=display_name, created_at=now())
    session.add(user)
    session.flush()
    key = issue_key(session, user=user)
    append_event(session, actor=actor, action="user.created", subject=username, detail={"role": role})
    return UserView(username=username, display_name=display_name, role=role), key


def issue_key(session: Session, *, user: User) -> str:
    key = generate_api_key()
    session.add(ApiKey(user_id=user.id, prefix=key_prefix(key), key_hash=hash_api_key(key), created_at=now()))
    return key


def authenticate(session: Session, key: str) -> UserView | None:
    """The user owning an unrevoked key, or None."""
    row = session.execute(
        select(User)
        .join(ApiKey, ApiKey.user_id == User.id)
        .where(ApiKey.key_hash == hash_api_key(key), ApiKey.revoked_at.is_(None))
    ).scalar_one_or_none()
    if row is None:
        return None
    return UserView(username=row.username, display_name=row.display_name, role=row.role)


def get_user(session: Session, username: str) -> UserView | None:
    row = session.scalars(select(User).where(User.username == username)).first()
    if row is None:
        return None
    return UserView(username=row.username, display_name=row.display_name, role=row.role)


def user_count(session: Session) -> int:
    return len(session.scalars(select(User.id)).all())
