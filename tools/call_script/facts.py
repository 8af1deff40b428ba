"""Spoken sentences built from a product sheet only: the offline builder never states a fact the sheet lacks."""

from __future__ import annotations

from core.domain import CREDIT_PRODUCT_TYPES, Product
from tools.call_script.errors import ScriptBuildError
from tools.call_script.terms import PROMPT_MAX_CHARS

TYPE_LABELS: dict[str, str] = {
    "deposit": "存款产品",
    "large_cd": "大额存单",
    "structured_deposit": "结构性存款",
    "wealth": "理财产品",
    "fund": "基金产品",
    "insurance": "保险产品",
    "consumer_loan": "个人消费贷款",
    "business_loan": "经营贷款",
    "credit_card": "信用卡",
}
AGENCY_TYPES = frozenset({"fund", "insurance"})
LOAN_TYPES = frozenset({"consumer_loan", "business_loan"})
# Mandatory wording when the sheet carries no disclosure of its own (compliance-rules §1.3 WM-01/04/05).
DEFAULT_RISK_DISCLOSURES: dict[str, str] = {
    "wealth": "理财非存款、产品有风险、投资须谨慎。",
    "structured_deposit": "结构性存款不同于一般性存款，具有投资风险，请您充分认识投资风险，谨慎投资。",
    "fund": "基金有风险，投资须谨慎，过往业绩不代表其未来表现。本行仅为代销机构，不承担产品的投资和兑付风险。",
    "insurance": "本行仅为代理销售机构，不承担保险责任，请您仔细阅读保险条款。",
}
MAX_VALUE_POINTS = 3


def percent(value: float) -> str:
    """3.60 → '3.6%' (no trailing zeros: the number is read aloud)."""
    return f"{value:.4f}".rstrip("0").rstrip(".") + "%"


def yuan(value: float) -> str:
    """200000 → '20万元', 5000 → '5000元'."""
    if value >= 10_000 and value % 10_000 == 0:
        return f"{value / 10_000:g}万元"
    return f"{value:.2f}".rstrip("0").rstrip(".") + "元"


def rate_sentence(product: Product) -> str | None:
    """The price of the product in one clause: APR for credit, rate for deposits, benchmark for 理财."""
    if product.type in CREDIT_PRODUCT_TYPES and product.apr_min is not None:
        if product.apr_max is not None and product.apr_max != product.apr_min:
            apr = f"年化利率（单利）{percent(product.apr_min)}至{percent(product.apr_max)}"
        else:
            apr = f"年化利率（单利）{percent(product.apr_min)}起"
        return apr + all_in_cost_clause(product)
    if product.rate is not None:
        return f"年利率{percent(product.rate)}"
    if product.benchmark:
        return benchmark_sentence(product.benchmark)
    return None


def all_in_cost_clause(product: Product) -> str:
    """The sheet's 年化综合融资成本 sentence, which personal-loan pitches must state (LN-02, 金规〔2026〕2号)."""
    for disclosure in product.disclosures:
        if "综合融资成本" in disclosure:
            return "，" + disclosure.strip().rstrip("。")
    return ""


def benchmark_sentence(benchmark: str) -> str:
    """The sheet's 业绩比较基准 text (with its basis), plus the WM-02 caveat when the sheet lacks one."""
    text = benchmark.strip().rstrip("。")
    if not text.startswith("业绩比较基准"):
        text = f"业绩比较基准为{text}"
    return text if "不代表" in text else f"{text}，业绩比较基准不代表产品实际收益"


def key_facts(product: Product) -> list[str]:
    """The clauses the value proposition states, in a fixed order; raises when a required price is missing."""
    rate = rate_sentence(product)
    if rate is None and (product.type in LOAN_TYPES or product.type in ("deposit", "large_cd", "wealth")):
        raise ScriptBuildError(
            f"product {product.id}: a {product.type} script needs its rate on the product sheet"
        )
    facts = [rate] if rate else []
    if product.max_amount is not None:
        facts.append(
            f"最高{'额度' if product.type in CREDIT_PRODUCT_TYPES else '金额'}{yuan(product.max_amount)}"
        )
    if product.min_amount is not None:
        facts.append(f"{yuan(product.min_amount)}起")
    if product.term:
        facts.append(f"期限{product.term}")
    if product.risk_level:
        facts.append(f"风险等级{product.risk_level}")
    return facts


def chosen_value_points(product: Product, value_points: list[str]) -> list[str]:
    """The selling points to speak: each must be a benefit on the sheet (the sheet is the only fact source)."""
    points = [p.strip() for p in value_points if p.strip()] or product.benefits[:2]
    unknown = [p for p in points if p not in product.benefits]
    if unknown:
        raise ScriptBuildError(
            f"value points not on product {product.id}'s benefit list: {', '.join(unknown)}"
        )
    if len(points) > MAX_VALUE_POINTS:
        raise ScriptBuildError(
            f"at most {MAX_VALUE_POINTS} value points fit one call turn, got {len(points)}"
        )
    return points


def value_text(product: Product, bank_short_name: str, points: list[str]) -> str:
    """The value-proposition turn: what the product is, its price and terms, and ``points`` (already checked
    by ``chosen_value_points``)."""
    label = TYPE_LABELS[product.type]
    # A product with an issuer of its own (a fund, a policy, a 理财子公司's product) is sold on its behalf.
    agency = product.type in AGENCY_TYPES or product.issuer is not None
    who = f"{bank_short_name}代销的{label}" if agency else f"{bank_short_name}的一款{label}"
    issuer = f"，由{product.issuer}发行" if product.issuer else ""
    facts = key_facts(product)
    sentence = f"{product.name}是{who}{issuer}" + "".join(f"，{fact}" for fact in facts) + "。"
    if points:
        sentence += "；".join(p.rstrip("。；;.") for p in points) + "。"
    if product.type in CREDIT_PRODUCT_TYPES:
        sentence += "具体额度和利率以审批结果为准。"
    return sentence


def answer_rates_text(product: Product, bank_short_name: str, hotline: str) -> str:
    """The answer to "利率/费用是多少": price, fee items, and where to get the full terms.

    Fee items that do not fit one prompt are left to the product documents, and the answer says so: a fee
    is never silently dropped (LN-02 / fee_concealment).
    """
    rate = rate_sentence(product)
    head = f"{product.name}{rate}。" if rate else f"{product.name}的具体价格以产品说明为准。"
    tail = f"详细条款以合同和产品说明为准，您也可以拨打{bank_short_name}客服热线{hotline}咨询。"
    fees = [f.rstrip("。；;.") for f in product.fees]
    for count in range(len(fees), -1, -1):
        spoken = "费用方面：" + "；".join(fees[:count]) + "。" if count else ""
        rest = "其余费用详见产品说明。" if count < len(fees) else ""
        text = head + spoken + rest + tail
        if len(text) <= PROMPT_MAX_CHARS:
            return text
    raise ScriptBuildError(
        f"product {product.id}: its rate sentence alone exceeds {PROMPT_MAX_CHARS} characters"
    )


def risk_disclosure_text(product: Product) -> str | None:
    """The verbatim risk wording an investment-type product needs in the call, or None for other products."""
    if product.disclosures:
        return "".join(d if d.endswith(("。", "！", "？")) else d + "。" for d in product.disclosures)
    return DEFAULT_RISK_DISCLOSURES.get(product.type)
