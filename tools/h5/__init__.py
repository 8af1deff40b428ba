"""H5 landing pages: the structured page model, the offline builder, clause checks and the mobile renderer."""

from tools.h5.builder import H5BuildError, build_offline_h5
from tools.h5.clauses import clause_problem, product_clause, unresolved_clauses
from tools.h5.grounding import ground_page
from tools.h5.model import H5Page
from tools.h5.render import page_from_content, render_h5, visible_text

__all__ = [
    "H5BuildError",
    "H5Page",
    "build_offline_h5",
    "clause_problem",
    "ground_page",
    "page_from_content",
    "product_clause",
    "render_h5",
    "unresolved_clauses",
    "visible_text",
]
