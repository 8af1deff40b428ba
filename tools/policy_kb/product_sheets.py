"""Render product sheets for the knowledge base from the product catalog.

Product facts live in exactly one place, ``knowledge/products.yaml``. Rather than keeping a second, hand-written
markdown copy that could drift, the knowledge base renders one ``product_sheet`` document per product at index
time, so a changed rate in the catalog re-indexes that product's sheet on the next ingest.
"""

from __future__ import annotations

from datetime import date

from core.domain import Product
from core.settings import get_settings
from tools.policy_kb.documents import PolicyDocument
from tools.products import ProductCatalog

PRODUCT_TYPE_LABELS: dict[str, str] = {
    "deposit": "存款",
    "large_cd": "大额存单",
    "structured_deposit": "结构性存款",
    "wealth": "理财产品",
    "fund": "代销基金",
    "insurance": "代销保险",
    "consumer_loan": "个人消费贷款",
    "business_loan": "个人经营贷款",
    "credit_card": "信用卡",
}

# A product without a start date in the catalog is treated as in force since always.
_UNDATED = date(2000, 1, 1)


def render_product_sheets(catalog: ProductCatalog) -> list[PolicyDocument]:
    """One product-sheet document per catalog product, in catalog order."""
    return [render_product_sheet(product) for product in catalog.all()]


def render_product_sheet(product: Product) -> PolicyDocument:
    """A product sheet whose every sentence comes from the product's catalog fields."""
    title = f"{product.name}产品说明"
    return PolicyDocument.model_validate(
        {
            "id": f"product-{product.id}",
            "title": title,
            "type": "product_sheet",
            "issuer": product.issuer or get_settings().bank_short_name,
            "effective_from": product.effective_from or _UNDATED,
            "effective_to": product.effective_to,
            # Product facts are needed wherever the product is marketed, audience selection included.
            "channels": "all",
            "products": [product.type],
            "citation": f"《{title}》（产品编号{product.id}）",
            "evidence": "internal",
            "body": _body(product),
            "source": f"products.yaml#{product.id}",
        }
    )


def _body(product: Product) -> str:
    sections = [
        ("产品要素", _key_facts(product)),
        ("费用", product.fees or ["产品资料未列明费用项目"]),
        ("适用客户", product.eligibility),
        ("必备披露（须原文引用）", product.disclosures),
        ("产品特点", product.benefits),
    ]
    parts = []
    for heading, items in sections:
        if items:
            parts.append(f"## {heading}\n\n" + "\n".join(f"- {item}" for item in items))
    return "\n\n".join(parts)


def _key_facts(product: Product) -> list[str]:
    """The structured fields as plain sentences; absent fields are left out, never guessed."""
    facts = [f"产品名称：{product.name}（产品编号{product.id}，类别：{PRODUCT_TYPE_LABELS[product.type]}）"]
    if product.issuer:
        facts.append(f"发行/管理机构：{product.issuer}；{get_settings().bank_short_name}为代理销售机构")
    if product.risk_level:
        facts.append(f"产品风险等级：{product.risk_level}")
    if product.rate is not None:
        facts.append(f"年利率：{product.rate:g}%")
    if product.apr_min is not None and product.apr_max is not None:
        facts.append(f"年化利率（单利）：{product.apr_min:g}%–{product.apr_max:g}%")
    if product.benchmark:
        label = "" if product.benchmark.startswith("业绩比较基准") else "业绩比较基准："
        facts.append(f"{label}{product.benchmark}")
    if product.min_amount is not None:
        facts.append(f"起点金额：{product.min_amount:,.0f}元")
    if product.max_amount is not None:
        facts.append(f"金额上限：{product.max_amount:,.0f}元")
    if product.term:
        facts.append(f"期限：{product.term}")
    return facts
