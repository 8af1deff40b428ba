"""Ground a model-written H5 page on the product sheet before it is checked and reviewed.

A model may phrase the hero, the benefits and the steps; it may not phrase the price, the risk wording, the
consent boxes or the activity rules. Those parts are replaced by the offline builder's versions, which copy
the sheet and settings verbatim, and every benefit must cite a clause that exists.
"""

from __future__ import annotations

from core.domain import Product
from tools.h5.builder import H5BuildError, PlanLike, build_offline_h5
from tools.h5.clauses import unresolved_clauses
from tools.h5.model import H5Page

# The parts whose wording is the bank's (legal text, figures, the customer's authorisations), never a model's.
FIXED_PARTS = (
    "product_id",
    "product_type",
    "rate_and_fees",
    "risk_disclosure",
    "lead_form",
    "activity_rules",
    "institution",
    "ai_label",
)


def ground_page(page: H5Page, plan: PlanLike, product: Product) -> H5Page:
    """``page`` with its fixed parts taken from the sheet; H5BuildError when a benefit cites no real clause."""
    problems = unresolved_clauses(page)
    if problems:
        raise H5BuildError("benefits without a real clause: " + "; ".join(problems))
    reference = build_offline_h5(plan, product)
    merged = {**page.model_dump(), **reference.model_dump(include=set(FIXED_PARTS))}
    # Re-validate the merged page so the whole-page rules (no 最终解释权 anywhere) see the model's text too.
    return H5Page.model_validate(merged)
