"""Resolve the clause a benefit cites: a rule in the compliance catalog or a section of a knowledge-base document.

The schema only checks a clause's shape; a model can still invent ``LN-99`` or a heading that does not exist.
This module checks each reference against the shipped rule catalog, the policy corpus and the product sheets,
so a benefit that points nowhere is caught before review (无法对应到条款的卖点不得上线).
"""

from __future__ import annotations

from functools import lru_cache

from tools.compliance.rules import default_rules
from tools.h5.model import H5Page
from tools.products import default_catalog

PRODUCT_FEATURES_SECTION = "产品特点"


def product_clause(product_id: str, section: str = PRODUCT_FEATURES_SECTION) -> str:
    """The clause reference for a section of a product's sheet, e.g. ``product-CL-001#产品特点``."""
    return f"product-{product_id}#{section}"


@lru_cache(maxsize=1)
def _document_sections() -> dict[str, frozenset[str]]:
    """Section labels per knowledge-base document id: the policy corpus plus one sheet per catalog product."""
    # Imported here: the policy_kb package pulls in the vector store client, which page rendering never needs.
    from tools.policy_kb.chunk import split_sections
    from tools.policy_kb.documents import DEFAULT_CORPUS_DIR, load_corpus
    from tools.policy_kb.product_sheets import render_product_sheet

    documents = [*load_corpus(DEFAULT_CORPUS_DIR), *map(render_product_sheet, default_catalog().all())]
    return {doc.id: frozenset(label for label, _ in split_sections(doc.body) if label) for doc in documents}


def clause_problem(clause: str) -> str | None:
    """Why ``clause`` does not resolve, or None when it names an existing rule or document section."""
    if "#" not in clause:
        return None if clause in default_rules() else f"no compliance rule {clause!r}"
    doc_id, section = clause.split("#", 1)
    sections = _document_sections().get(doc_id)
    if sections is None:
        return f"no knowledge-base document {doc_id!r}"
    if section not in sections:
        return f"document {doc_id!r} has no section {section!r}"
    return None


def unresolved_clauses(page: H5Page) -> list[str]:
    """One message per benefit whose clause does not resolve, naming the benefit."""
    problems = []
    for index, benefit in enumerate(page.benefits):
        problem = clause_problem(benefit.clause)
        if problem:
            problems.append(f"benefits[{index}] {benefit.text!r}: {problem}")
    return problems
