"""A call script drawn for reviewers: Mermaid flowchart source and a self-contained HTML page (issue 8).

The Mermaid text is a pure function of the script, written in declaration order, so it is stable enough for
snapshot tests and diffs between versions. Every piece of script text goes through ``_mermaid_text``: a prompt
or condition is model- or author-written, and a stray quote or bracket must not break (or inject into) the
diagram. Node ids are prefixed because Mermaid treats some bare words (``end``) as keywords.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core.domain import Finding
from tools.call_script.check_structure import FIXED_WORDING_STAGES
from tools.call_script.diagram_view import build_view, route_label, trigger_label
from tools.call_script.model import CallScript, Node
from tools.call_script.terms import REPEAT_TARGET, RETURN_TARGET

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
PAGE_TEMPLATE = "script_view.html.j2"
EXCERPT_CHARS = 24
START_ID = "start"
# Shape per node type, so the kind of turn reads at a glance: (opening, closing) around the quoted label.
_SHAPES: dict[str, tuple[str, str]] = {
    "say": ("[", "]"),
    "ask": ("{{", "}}"),
    "answer": ("([", "])"),
    "action": ("[[", "]]"),
    "transfer": ("[/", "/]"),
    "end": ("[(", ")]"),
}
_PSEUDO_LABELS = {REPEAT_TARGET: "@repeat 重播当前提问", RETURN_TARGET: "@return 回到被打断的提问"}
# Characters with a meaning in Mermaid syntax, written as Mermaid entity codes (#NN;) inside labels.
_ESCAPES = {
    "#": "#35;",
    '"': "#quot;",
    "&": "#amp;",
    "<": "#lt;",
    ">": "#gt;",
    "[": "#91;",
    "]": "#93;",
    "(": "#40;",
    ")": "#41;",
    "{": "#123;",
    "}": "#125;",
    "|": "#124;",
    "`": "#96;",
}
_CLASS_DEFS = (
    "classDef refusal fill:#fde2e2,stroke:#b91c1c,stroke-width:4px,color:#7f1d1d",
    "classDef ending fill:#eef2f7,stroke:#475569",
    "classDef handler fill:#fff7e6,stroke:#b45309,stroke-dasharray:4 3",
    "classDef pseudo fill:#ffffff,stroke:#94a3b8,stroke-dasharray:2 2",
    "classDef missing fill:#fff1f2,stroke:#e11d48,stroke-dasharray:6 3",
)


def _mermaid_text(text: str) -> str:
    """``text`` safe inside a quoted Mermaid label: syntax characters as entity codes, whitespace flattened."""
    flat = " ".join(text.split())
    return "".join(_ESCAPES.get(char, char) for char in flat)


def _excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


def _node_label(node: Node, *, refusal: bool) -> str:
    stages = " / ".join(node.stages) or "no stage"
    lines = [f"{node.id} · {node.type}", stages]
    if node.prompt is not None:
        lines.append(f"“{_excerpt(node.prompt.text)}”")
    if node.action != "none":
        lines.append(f"action: {node.action}")
    if refusal:
        lines.insert(0, "⛔ REFUSAL · do-not-call")
    return "<br/>".join(_mermaid_text(line) for line in lines)


class _Ids:
    """Mermaid ids for declared nodes, pseudo targets and undeclared (dangling) targets, assigned stably."""

    def __init__(self, script: CallScript) -> None:
        self.declared = {node.id for node in script.nodes}
        self.extra: dict[str, str] = {}  # target -> mermaid id, in first-seen order

    def of(self, target: str) -> str:
        if target in self.declared:
            return f"n_{target}"
        if target not in self.extra:
            prefix = "p" if target in _PSEUDO_LABELS else "x"
            self.extra[target] = f"{prefix}_{len(self.extra)}"
        return self.extra[target]


def _edge(source: str, target: str, label: str | None, arrow: str = "-->") -> str:
    return (
        f'    {source} {arrow}|"{_mermaid_text(label)}"| {target}'
        if label
        else f"    {source} {arrow} {target}"
    )


def _node_lines(script: CallScript, ids: _Ids) -> Iterator[str]:
    yield f'    {START_ID}(("start"))'
    for node in script.nodes:
        opening, closing = _SHAPES[node.type]
        yield f'    {ids.of(node.id)}{opening}"{_node_label(node, refusal=node.id == script.compliance.refusal_node)}"{closing}'


def _edge_lines(script: CallScript, ids: _Ids) -> Iterator[str]:
    refusal = script.compliance.refusal_node
    yield _edge(START_ID, ids.of(script.start_node), None)
    for node in script.nodes:
        for route in node.routes:
            # A thick arrow into the refusal node: the do-not-call path is the one a reviewer must trace.
            arrow = "==>" if route.to == refusal else "-->"
            yield _edge(ids.of(node.id), ids.of(route.to), route_label(route.when), arrow)
        if node.next is not None:
            yield _edge(ids.of(node.id), ids.of(node.next), "next")


def _handler_lines(script: CallScript, ids: _Ids) -> Iterator[str]:
    if not script.global_handlers:
        return
    yield '    subgraph global_handlers["global handlers · 全局处理"]'
    yield "        direction LR"
    for index, handler in enumerate(script.global_handlers):
        label = "<br/>".join(
            _mermaid_text(t) for t in (trigger_label(handler.when), f"priority {handler.priority}")
        )
        yield f'        h_{index}>"{label}"]'
    yield "    end"
    for index, handler in enumerate(script.global_handlers):
        arrow = "==>" if handler.to == script.compliance.refusal_node else "-.->"
        yield _edge(f"h_{index}", ids.of(handler.to), None, arrow)


def _extra_node_lines(ids: _Ids) -> Iterator[str]:
    for target, mermaid_id in ids.extra.items():
        label = _PSEUDO_LABELS.get(target, f"{target} · undeclared")
        yield f'    {mermaid_id}("{_mermaid_text(label)}")'


def _class_lines(script: CallScript, ids: _Ids) -> Iterator[str]:
    for line in _CLASS_DEFS:
        yield f"    {line}"
    refusal = script.compliance.refusal_node
    endings = [ids.of(n.id) for n in script.nodes if n.type == "end" and n.id != refusal]
    groups = (
        ("ending", endings),
        ("refusal", [ids.of(refusal)] if refusal in ids.declared else []),
        ("handler", [f"h_{i}" for i in range(len(script.global_handlers))]),
        ("pseudo", [m for t, m in ids.extra.items() if t in _PSEUDO_LABELS]),
        ("missing", [m for t, m in ids.extra.items() if t not in _PSEUDO_LABELS]),
    )
    for name, members in groups:
        if members:
            yield f"    class {','.join(members)} {name}"


def to_mermaid(script: CallScript) -> str:
    """The script as a Mermaid flowchart: typed node shapes, labelled routes, global handlers in a subgraph,
    the refusal (do-not-call) end node in red. Same script, same text."""
    ids = _Ids(script)
    # One line whatever the id holds: a newline in a comment would let the id write diagram syntax.
    title = " ".join(script.script_id.split())
    header = ["flowchart TD", f"    %% call script {title} v{script.version} ({script.status})"]
    # Edges are generated before the extra nodes are written: they are what discovers pseudo/dangling targets.
    body = [*_node_lines(script, ids)]
    edges = [*_edge_lines(script, ids)]
    handlers = [*_handler_lines(script, ids)]
    extras = [*_extra_node_lines(ids)]
    lines = [*header, *body, *extras, *edges, *handlers, *_class_lines(script, ids)]
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def to_html(script: CallScript, *, findings: Sequence[Finding]) -> str:
    """A self-contained reviewer page: stage swimlanes of node cards linked by their routes, the findings
    pinned to the node they concern, and the Mermaid source to copy. No script tags, no external assets."""
    view = build_view(script, findings)
    return (
        _environment()
        .get_template(PAGE_TEMPLATE)
        .render(view=view, mermaid=to_mermaid(script), fixed_stages=sorted(FIXED_WORDING_STAGES))
    )
