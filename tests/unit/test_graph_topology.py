"""Golden test of the campaign graph's wiring: a changed edge must be a deliberate, reviewed change.

To accept a new topology, regenerate the snapshot:
    .venv/bin/python -c "from agents.graph import build_graph; print(build_graph().get_graph().draw_mermaid(with_styles=False))" > tests/unit/snapshots/campaign_graph.mmd
"""

from __future__ import annotations

from pathlib import Path

from agents.graph import build_graph

SNAPSHOT = Path(__file__).parent / "snapshots" / "campaign_graph.mmd"


def test_topology_matches_snapshot():
    mermaid = build_graph().get_graph().draw_mermaid(with_styles=False)
    assert mermaid.strip() == SNAPSHOT.read_text(encoding="utf-8").strip()


def test_every_design_step_is_a_node():
    nodes = set(build_graph().get_graph().nodes)
    assert {
        "plan",
        "clarify",
        "select_audience",
        "write_content",
        "write_call_script",
        "check_compliance",
        "revise",
        "submit_for_review",
        "human_review",
        "apply_feedback",
        "publish",
    } <= nodes
