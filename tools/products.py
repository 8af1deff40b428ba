"""The product catalog: load ``knowledge/products.yaml``, validate it, look products up, match them to a brief.

Product sheets are the only source of product facts a draft may state, so a malformed catalog must fail
loudly at load time (naming the product and the field) instead of surfacing later as a wrong rate in copy.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

import knowledge
from core.domain import CREDIT_PRODUCT_TYPES, INVESTMENT_PRODUCT_TYPES, PRODUCT_TYPES, Product

DEFAULT_PRODUCTS_FILE = Path(knowledge.__file__).resolve().parent / "products.yaml"

# Words a brief uses for a whole product type; they let "做个理财活动" find every wealth product even when no
# product keyword is present. Longer words win in ranking, so 结构性存款 beats 存款 for a structured deposit.
TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "deposit": ("存款", "储蓄"),
    "large_cd": ("大额存单",),
    "structured_deposit": ("结构性存款",),
    "wealth": ("理财",),
    "fund": ("基金",),
    "insurance": ("保险",),
    "consumer_loan": ("消费贷", "贷款"),
    "business_loan": ("经营贷", "贷款"),
    "credit_card": ("信用卡",),
}


class ProductCatalogError(ValueError):
    """The catalog file is missing, unreadable or holds an invalid product."""


class ProductCatalog:
    """An immutable, ordered set of products with lookup and brief matching."""

    def __init__(self, products: Sequence[Product]) -> None:
        self._products: tuple[Product, ...] = tuple(products)
        self._by_id: dict[str, Product] = {}
        for product in self._products:
            if product.id in self._by_id:
                raise ProductCatalogError(f"product {product.id}: duplicate id")
            self._by_id[product.id] = product

    def __len__(self) -> int:
        return len(self._products)

    def __iter__(self) -> Iterator[Product]:
        return iter(self._products)

    def get(self, product_id: str) -> Product:
        """The product with this id; KeyError naming the id and the known ids otherwise."""
        try:
            return self._by_id[product_id]
        except KeyError:
            known = ", ".join(sorted(self._by_id))
            raise KeyError(f"unknown product id {product_id!r}; known ids: {known}") from None

    def all(self) -> list[Product]:
        """Every product, in catalog order."""
        return list(self._products)

    def by_type(self, product_type: str) -> list[Product]:
        """Products of one type (a stable ProductType name), in catalog order."""
        if product_type not in PRODUCT_TYPES:
            raise ValueError(f"unknown product type {product_type!r}; expected one of {PRODUCT_TYPES}")
        return [p for p in self._products if p.type == product_type]

    def match(self, text: str) -> list[Product]:
        """Products a Chinese brief refers to, best first.

        A product matches when one of its keywords, its name or a word for its type occurs in the text.
        Ranking is deterministic: the longest matched term first (a specific word like 结构性存款 beats a
        generic one like 存款), then the number of distinct matched terms, then catalog order.
        """
        brief = _normalise(text)
        if not brief:
            return []
        scored: list[tuple[int, int, int, Product]] = []
        for position, product in enumerate(self._products):
            hits = [term for term in _terms_for(product) if term in brief]
            if hits:
                scored.append((-max(len(term) for term in hits), -len(hits), position, product))
        scored.sort(key=lambda item: item[:3])
        return [item[3] for item in scored]


def load_products(path: Path | None = None) -> ProductCatalog:
    """Load and validate the product catalog (default: ``knowledge/products.yaml``)."""
    source = path or DEFAULT_PRODUCTS_FILE
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProductCatalogError(f"{source}: cannot read product catalog: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ProductCatalogError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(raw, list) or not raw:
        raise ProductCatalogError(f"{source}: expected a non-empty list of products")
    products = [_parse_product(entry, index, source) for index, entry in enumerate(raw)]
    try:
        return ProductCatalog(products)
    except ProductCatalogError as exc:
        raise ProductCatalogError(f"{source}: {exc}") from exc


def _parse_product(entry: Any, index: int, source: Path) -> Product:
    """Validate one catalog entry: field types first (pydantic), then cross-field business rules."""
    if not isinstance(entry, dict):
        raise ProductCatalogError(f"{source}: entry #{index + 1} is not a mapping")
    label = str(entry.get("id") or f"entry #{index + 1}")
    unknown = sorted(set(entry) - set(Product.model_fields))
    if unknown:
        raise ProductCatalogError(f"{source}: product {label}: unknown field(s) {unknown}")
    try:
        product = Product.model_validate(entry)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(entry)"
        raise ProductCatalogError(f"{source}: product {label} field {field!r}: {first['msg']}") from None
    problem = _business_rule_violation(product)
    if problem:
        field, message = problem
        raise ProductCatalogError(f"{source}: product {label} field {field!r}: {message}")
    return product


def _business_rule_violation(product: Product) -> tuple[str, str] | None:
    """The first (field, reason) that makes a well-typed product unusable as a fact source, if any."""
    if not product.id.strip() or not product.name.strip():
        return ("id" if not product.id.strip() else "name", "must not be blank")
    if product.type in CREDIT_PRODUCT_TYPES:
        if product.apr_min is None or product.apr_max is None:
            # Loan marketing must show the annualised rate (人民银行公告〔2021〕第3号), so it must be known.
            return ("apr_min" if product.apr_min is None else "apr_max", "required for credit products")
        if not 0 < product.apr_min <= product.apr_max:
            return ("apr_max", f"must be >= apr_min > 0 (got {product.apr_min}–{product.apr_max})")
    if product.type in INVESTMENT_PRODUCT_TYPES and product.risk_level is None:
        return ("risk_level", "required for investment products (suitability matching)")
    if product.type == "wealth" and not product.benchmark:
        return ("benchmark", "required for wealth products (业绩比较基准 with its basis)")
    if product.type in {"fund", "insurance"} and not product.issuer:
        return ("issuer", "required for agency-sold products")
    if product.type in {"deposit", "large_cd"} and product.rate is None:
        return ("rate", "required for deposits and large CDs")
    if product.min_amount is not None and product.max_amount is not None:
        if product.min_amount > product.max_amount:
            return ("max_amount", "must not be below min_amount")
    if product.effective_from and product.effective_to and product.effective_from > product.effective_to:
        return ("effective_to", "must not be before effective_from")
    if not product.disclosures:
        return ("disclosures", "every product needs at least one mandatory disclosure")
    return None


def _terms_for(product: Product) -> list[str]:
    """Normalised, de-duplicated match terms of one product: keywords, name and type words."""
    terms = [*product.keywords, product.name, *TYPE_WORDS.get(product.type, ())]
    return sorted({_normalise(term) for term in terms if term.strip()})


def _normalise(text: str) -> str:
    """Full-width → half-width and case folding, so ＥＤ贷 / E贷 / e贷 all match the keyword e贷."""
    return unicodedata.normalize("NFKC", text).casefold().replace(" ", "")


@lru_cache(maxsize=1)
def default_catalog() -> ProductCatalog:
    """The bundled catalog, parsed once per process (agents ask for it on every node)."""
    return load_products()
