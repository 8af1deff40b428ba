"""Claims ledger: extract every factual claim in a draft and link it to the source that states it."""

from tools.claims.ledger import LedgerEntry, build_ledger, stored_ledger, unlinked_findings
from tools.claims.quantities import Quantity, extract_quantities

__all__ = [
    "LedgerEntry",
    "Quantity",
    "build_ledger",
    "extract_quantities",
    "stored_ledger",
    "unlinked_findings",
]
