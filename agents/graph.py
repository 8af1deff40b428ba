"""The campaign graph (DESIGN §3): plan → parallel writers → compliance ⇄ revise → human review → publish."""

from __future__ import annotations

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agents import nodes
from agents.state import CampaignState, InputState


def build_graph(checkpointer: BaseCheckpointSaver[str] | None = None) -> CompiledStateGraph:  # type: ignore[type-arg]
    builder = StateGraph(CampaignState, input_schema=InputState)
    builder.add_node("plan", nodes.plan_node)
    builder.add_node("clarify", nodes.clarify_node)
    builder.add_node("select_audience", nodes.audience_node)
    builder.add_node("write_content", nodes.content_node)
    builder.add_node("write_call_script", nodes.call_script_node)
    builder.add_node("check_compliance", nodes.compliance_node)
    builder.add_node("revise", nodes.revise_node)
    builder.add_node("submit_for_review", nodes.submit_node)
    builder.add_node("human_review", nodes.review_node)
    builder.add_node("apply_feedback", nodes.feedback_node)
    builder.add_node("publish", nodes.publish_node)

    builder.add_edge(START, "plan")
    builder.add_conditional_edges(
        "plan", nodes.route_after_plan, ["clarify", "select_audience", "write_content", "write_call_script"]
    )
    builder.add_edge("clarify", "plan")
    # The three writers run in one superstep; the checker starts once all of them have returned.
    for writer in ("select_audience", "write_content", "write_call_script"):
        builder.add_edge(writer, "check_compliance")
    builder.add_conditional_edges(
        "check_compliance", nodes.route_after_check, ["revise", "submit_for_review"]
    )
    builder.add_edge("revise", "check_compliance")
    builder.add_edge("submit_for_review", "human_review")
    builder.add_conditional_edges(
        "human_review", nodes.route_after_review, ["apply_feedback", "check_compliance", "publish"]
    )
    builder.add_edge("apply_feedback", "check_compliance")
    builder.add_edge("publish", END)
    return builder.compile(checkpointer=checkpointer, name="campaign")
