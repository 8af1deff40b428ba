"""Freeze a campaign's audience when it is published: every selected id, written once, hashed, audited."""

from __future__ import annotations

import json
from typing import Any

from agents.audience import operational_exclusions
from core.audit import append_event
from core.db import session_scope
from core.settings import get_settings
from tools.campaign_api.campaigns import get_campaign_row
from tools.tag_store.catalog import TagCatalog
from tools.tag_store.expression import validate_expression
from tools.tag_store.snapshot import freeze
from tools.tag_store.store import TagStore


def freeze_campaign_audience(campaign_id: str, audience: dict[str, Any], *, actor: str) -> dict[str, Any]:
    """Snapshot the audience at publication; a re-run (a resumed node) returns the snapshot already taken."""
    settings = get_settings()
    out_dir = settings.data_dir / "snapshots"
    manifest = out_dir / f"{campaign_id}.json"
    if manifest.exists():
        taken = json.loads(manifest.read_text(encoding="utf-8"))
        return {"path": str(out_dir / taken["file"]), "size": taken["size"], "sha256": taken["sha256"],
                "as_of": taken["as_of"]}  # fmt: skip
    catalog = TagCatalog.default()
    info = freeze(
        TagStore(settings.tag_store_path, catalog), validate_expression(audience["expression"], catalog),
        product_type=audience.get("product_type"), channels=audience["channels"],
        product_risk_level=audience.get("product_risk_level"), extra_excluded=operational_exclusions(),
        out_dir=out_dir, name=campaign_id,
    )  # fmt: skip
    record = {
        "path": str(info.path),
        "size": info.size,
        "sha256": info.sha256,
        "as_of": info.as_of.isoformat(),
    }
    with session_scope() as session:
        row = get_campaign_row(session, campaign_id)
        row.audience = {**(row.audience or {}), "snapshot": record}
        append_event(session, actor=actor, action="audience.frozen", subject=campaign_id,
                     detail={"size": info.size, "sha256": info.sha256})  # fmt: skip
    return record
