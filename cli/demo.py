"""`mbrain init --demo`: the fictional bank's users, customers, products and knowledge base."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import duckdb
from pydantic import BaseModel

from cli.output import progress_printer
from core.db import migrate, session_scope
from core.settings import get_settings
from tools.campaign_api.users import create_user, user_count
from tools.policy_kb.index import KnowledgeBase
from tools.products import default_catalog
from tools.tag_store.demo_data import build_demo_tag_store
from tools.tag_store.errors import TagStoreError
from tools.tag_store.store import TagStore

DEMO_USERS = (
    ("marketer", "marketer", "王策划"),
    ("editor", "content_editor", "李内容"),
    ("reviewer", "reviewer", "张审核"),
    ("compliance", "compliance_officer", "赵合规"),
    ("voicebot", "voicebot", "外呼机器人"),
    ("admin", "admin", "系统管理员"),
)
MAX_CUSTOMERS = 10_000_000


class InitReport(BaseModel):
    data_dir: str
    users: list[dict[str, Any]]
    customers: int
    tag_store_built: bool
    products: int
    kb: dict[str, Any]
    credentials_file: str | None


def credentials_path() -> Path:
    return get_settings().data_dir / "demo-credentials.json"


def init_demo(*, customers: int, reset: bool, show_progress: bool) -> InitReport:
    if not 1_000 <= customers <= MAX_CUSTOMERS:
        raise ValueError(f"--customers must be between 1,000 and {MAX_CUSTOMERS:,}, not {customers:,}")
    settings = get_settings()
    if reset and settings.data_dir.exists():
        shutil.rmtree(settings.data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate()
    products = default_catalog()
    built = False
    if not settings.tag_store_path.exists() or _outdated(settings.tag_store_path):
        progress = progress_printer("customers") if show_progress else None
        build_demo_tag_store(settings.tag_store_path, customers=customers, progress=progress)
        built = True
    kb_report = KnowledgeBase(settings.kb_dir).ingest(
        progress_printer("knowledge base") if show_progress else None
    )
    users = _create_users()
    return InitReport(
        data_dir=str(settings.data_dir.resolve()), users=users, customers=customers if built else _count_customers(),
        tag_store_built=built, products=len(products), kb=kb_report.model_dump(mode="json"),
        credentials_file=str(credentials_path()) if credentials_path().exists() else None,
    )  # fmt: skip


def _create_users() -> list[dict[str, Any]]:
    """One user per role. Keys are shown once; for this local demo they are also kept in a 0600 file."""
    with session_scope() as session:
        if user_count(session) > 0:
            return [{"username": u, "role": r, "api_key": None} for u, r, _ in DEMO_USERS]
        users = []
        for username, role, display in DEMO_USERS:
            view, key = create_user(session, username=username, role=role, display_name=display, actor="init")
            users.append({"username": view.username, "role": view.role, "api_key": key})
    path = credentials_path()
    path.write_text(json.dumps(users, ensure_ascii=False, indent=2), encoding="utf-8")
    os.chmod(path, 0o600)
    return users


def _outdated(path: Path) -> bool:
    """A demo store built before the catalog gained tags cannot serve it: the demo data is rebuilt, not patched."""
    try:
        TagStore(path).lead(1)
    except TagStoreError:
        return True
    return False


def _count_customers() -> int:
    with duckdb.connect(str(get_settings().tag_store_path), read_only=True) as conn:
        row = conn.execute("SELECT count(*) FROM customers").fetchone()
    return int(row[0]) if row else 0
