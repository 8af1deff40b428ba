"""Options shared by every command group, and how a CLI user is resolved."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.output import fail
from tools.campaign_api.users import UserView

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
AsUser = Annotated[str, typer.Option("--as", help="Act as this user (username).")]


def resolve_user(username: str) -> UserView:
    """The local user named on the command line (the CLI runs with direct access to the data dir)."""
    from core.db import migrate, session_scope
    from tools.campaign_api.users import get_user

    migrate()
    with session_scope() as session:
        user = get_user(session, username)
    if user is None:
        fail(f"unknown user {username!r} (run `mbrain init --demo` for the demo users)")
    return user
