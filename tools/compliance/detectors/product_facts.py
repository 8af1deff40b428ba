"""Checks against the product sheet (the master data the catalog says the checker must be given).

* ``product_numbers`` (FM-06): a rate, minimum amount or maximum line in the copy that the sheet does not
  support (APR outside [apr_min, apr_max], a 起 amount other than the sheet's minimum, a line above the
  maximum, a deposit rate below the sheet's — above it is DP-01's job, so one mismatch is reported once);
* ``deposit_rate`` (DP-01): a deposit rate above the published rate on the product sheet;
* ``product_claims`` (AD-03): a qualitative claim the sheet contradicts (随时支取 on a product that cannot be
  withdrawn early, 免费 when the sheet lists a fee, 当天到账 the sheet does not promise).

All run only when the sheet is given (``meta.product_id``); they never guess a product from the words.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import Field, field_validator

from core.domain import Product
from tools.compliance.detectors.base import DetectionContext, DetectorParams, Hit, compile_pattern
from tools.compliance.detectors.framing import in_customer_turn, is_negated, is_question
from tools.compliance.detectors.rate_numbers import find_annual_rate_spans, format_percent
from tools.compliance.normalize import normalize
from tools.products import default_catalog

DEPOSIT_TYPES = frozenset({"deposit", "large_cd"})
# A deposit or CD rate as copy writes it: 年利率2.15%, 利率为1.10%, 三年期年利率2.35%.
_DEPOSIT_RATE = re.compile(r"(?:年利率|存款利率|利率|年化利率|年化)[^\d。;!?\n%]{0,8}?(\d+(?:\.\d+)?)\s*%")
# 1000元起借, 20万元起存, 1万起购: a minimum amount;
# 10万元即可起存 says the same with a filler between the amount and 起 (only before an explicit verb).
_MIN_AMOUNT = re.compile(
    r"(\d+(?:\.\d+)?)\s*(万|千)?\s*元?\s*(?:(?:即可|就可以?|就能|便可|即)\s*起(?:借|存|购|投|贷)|起(?:借|存|购|投|贷|售|))"
)
# 额度1000元至30万元: a range of amounts, whose ends are the minimum and the maximum.
_AMOUNT_RANGE = re.compile(
    r"额度[^\d。;!?\n]{0,4}(\d+(?:\.\d+)?)\s*(万|千)?\s*元?\s*(?:至|到|-|–|~)\s*(\d+(?:\.\d+)?)\s*(万|千)?\s*元?"
)
# A price quoted "from" an amount (借1万元用1天利息约0.99元起, 手续费低至5元起) is a cost, not the product's
# minimum amount; these words just before a bare 起 say so.
_COST_CUES = (
    "利息",
    "息费",
    "费用",
    "手续费",
    "月供",
    "每天",
    "每日",
    "日均",
    "仅需",
    "低至",
    "约",
    "还款",
    "每期",
    "每月还",
)
# 最高可借20万, 额度最高30万元: a maximum line or amount.
_MAX_AMOUNT = re.compile(r"(?:最高|最多|高达|上限)[^\d。;!?\n]{0,6}?(\d+(?:\.\d+)?)\s*(万|千)?\s*元?")
# 申购费率仅0.6%, 管理费年化1.20%: a named fee rate.
_FEE_RATE = re.compile(r"(申购|认购|赎回|管理|托管|销售服务|手续)费率?[^\d。;!?\n]{0,6}?(\d+(?:\.\d+)?)\s*%")
# 期限63天, 期限为3年: a product term.
_TERM = re.compile(r"期限[^\d。;,!?\n]{0,4}(\d+)\s*(天|个月|年)")
_FIXED_TERM = re.compile(r"^(\d+)\s*(天|个月|年)$")
_UNITS = {"万": 10_000.0, "千": 1_000.0, None: 1.0, "": 1.0}
RATE_TOLERANCE = 0.005  # percentage points: 3.60% and 3.6% are the same figure


def _amount(number: str, unit: str | None) -> float:
    return float(number) * _UNITS[unit]


_CLAUSE_OPENERS = "。;；!?！？\n"
# Other banks named in the sentence (隔壁那几家大行给的利率都不到2%): their figures are no claim about this product.
_COMPETITORS = (
    "隔壁",
    "别家",
    "他行",
    "其他银行",
    "其它银行",
    "别的银行",
    "大行",
    "同业",
    "外面的银行",
    "有些银行",
)
_DISTINCTIVE_WORD = 3  # shorter keywords (存款, 理财) are shared by whole product families


@lru_cache(maxsize=32)
def _product_words(product_id: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(words naming this product, distinctive words naming only other products of the catalog), normalised."""
    catalog = default_catalog()

    def words_of(item: Product) -> set[str]:
        return {normalize(word).text for word in (item.name, *item.keywords) if word}

    own = words_of(catalog.get(product_id))
    others = {
        word
        for item in catalog
        if item.id != product_id
        for word in words_of(item)
        if len(word) >= _DISTINCTIVE_WORD and not any(word in mine or mine in word for mine in own)
    }
    return tuple(sorted(own)), tuple(sorted(others))


def _about_other_product(text: str, position: int, product: Product) -> bool:
    """Whether the clause leading up to ``position`` names another catalog product and not this one."""
    left = max(text.rfind(char, 0, position) for char in _CLAUSE_OPENERS) + 1
    clause = text[left:position]
    own, others = _product_words(product.id)
    return not any(word in clause for word in own) and any(word in clause for word in others)


def _about_competitors(text: str, position: int) -> bool:
    left = max(text.rfind(char, 0, position) for char in _CLAUSE_OPENERS) + 1
    return any(word in text[left:position] for word in _COMPETITORS)


class ProductNumbersParams(DetectorParams):
    check_amounts: bool = True


class ProductNumbersDetector:
    """FM-06: figures in the copy that contradict the product sheet."""

    anchors: frozenset[str] | None = None  # always runs (metadata, structure or missing elements)
    tracked: frozenset[str] = frozenset()

    def __init__(self, params: ProductNumbersParams) -> None:
        self.params = params

    def detect(self, ctx: DetectionContext) -> list[Hit]:
        product = ctx.product
        if product is None:
            return []
        text = ctx.norm.text
        hits = self._rate_hits(text, product) + self._fee_hits(text, product) + self._term_hits(text, product)
        if self.params.check_amounts:
            hits += self._amount_hits(text, product)
        # A figure in a clause about another product of the bank (大额存单2.15%；本行1年期整存整取定期存款1.10%)
        # is that product's, not a contradiction of this sheet.
        return [
            hit for hit in hits if hit.start is None or not _about_other_product(text, hit.start, product)
        ]

    @staticmethod
    def _fee_hits(text: str, product: Product) -> list[Hit]:
        """A named fee rate that differs from every rate the sheet gives for that fee."""
        hits: list[Hit] = []
        for match in _FEE_RATE.finditer(text):
            name = match.group(1)
            sheet_rates = [
                float(value)
                for fee in product.fees
                if name in fee
                for value in re.findall(r"(\d+(?:\.\d+)?)\s*%", fee)
            ]
            stated = float(match.group(2))
            if sheet_rates and all(abs(stated - rate) > RATE_TOLERANCE for rate in sheet_rates):
                shown = "、".join(f"{format_percent(rate)}%" for rate in sheet_rates)
                hits.append(Hit(start=match.start(), end=match.end(), detail=f"产品{name}费率为 {shown}"))
        return hits

    @staticmethod
    def _term_hits(text: str, product: Product) -> list[Hit]:
        """A stated term other than the sheet's, when the sheet has one fixed term (91天, 3年)."""
        fixed = _FIXED_TERM.match(product.term.strip()) if product.term else None
        if fixed is None:
            return []
        return [
            Hit(start=m.start(), end=m.end(), detail=f"产品期限为 {product.term}")
            for m in _TERM.finditer(text)
            if (m.group(1), m.group(2)) != (fixed.group(1), fixed.group(2))
        ]

    @staticmethod
    def _rate_hits(text: str, product: Product) -> list[Hit]:
        hits: list[Hit] = []
        if product.apr_min is not None and product.apr_max is not None:
            for start, end, low, high in find_annual_rate_spans(text):
                if low < product.apr_min - RATE_TOLERANCE or high > product.apr_max + RATE_TOLERANCE:
                    sheet = f"{format_percent(product.apr_min)}%-{format_percent(product.apr_max)}%"
                    hits.append(Hit(start=start, end=end, detail=f"产品年化利率为 {sheet}"))
        elif product.rate is not None and product.type in DEPOSIT_TYPES:
            for match in _DEPOSIT_RATE.finditer(text):
                if _about_competitors(text, match.start()):
                    continue
                if float(match.group(1)) < product.rate - RATE_TOLERANCE:
                    detail = f"产品利率为 {format_percent(product.rate)}%"
                    hits.append(Hit(start=match.start(), end=match.end(), detail=detail))
        return hits

    @staticmethod
    def _amount_hits(text: str, product: Product) -> list[Hit]:
        hits: list[Hit] = []
        if product.min_amount is not None:
            for match in _MIN_AMOUNT.finditer(text):
                bare = match.group(0).endswith("起")
                if bare and any(cue in text[max(0, match.start() - 8) : match.start()] for cue in _COST_CUES):
                    continue
                if abs(_amount(match.group(1), match.group(2)) - product.min_amount) > 0.5:
                    detail = f"产品起点金额为 {product.min_amount:g} 元"
                    hits.append(Hit(start=match.start(), end=match.end(), detail=detail))
        for match in _AMOUNT_RANGE.finditer(text):
            low, high = _amount(match.group(1), match.group(2)), _amount(match.group(3), match.group(4))
            if product.max_amount is not None and high > product.max_amount + 0.5:
                detail = f"产品最高金额为 {product.max_amount:g} 元"
                hits.append(Hit(start=match.start(), end=match.end(), detail=detail))
            elif product.min_amount is not None and low < product.min_amount - 0.5:
                detail = f"产品起点金额为 {product.min_amount:g} 元"
                hits.append(Hit(start=match.start(), end=match.end(), detail=detail))
        if product.max_amount is not None:
            for match in _MAX_AMOUNT.finditer(text):
                if _amount(match.group(1), match.group(2)) > product.max_amount + 0.5:
                    detail = f"产品最高金额为 {product.max_amount:g} 元"
                    hits.append(Hit(start=match.start(), end=match.end(), detail=detail))
        return hits


class DepositRateParams(DetectorParams):
    pass


class DepositRateDetector:
    """DP-01 numeric part: a deposit rate above the published one."""

    anchors: frozenset[str] | None = None  # always runs (metadata, structure or missing elements)
    tracked: frozenset[str] = frozenset()

    def __init__(self, params: DepositRateParams) -> None:
        self.params = params

    def detect(self, ctx: DetectionContext) -> list[Hit]:
        # The published rate is master data: without the product sheet the text alone cannot show a breach.
        product = ctx.product
        if product is None or product.type not in DEPOSIT_TYPES or product.rate is None:
            return []
        published = product.rate
        return [
            Hit(start=m.start(), end=m.end(), detail=f"高于本行公布利率 {format_percent(published)}%")
            for m in _DEPOSIT_RATE.finditer(ctx.norm.text)
            if float(m.group(1)) > published + RATE_TOLERANCE
        ]


class ClaimSpec(DetectorParams):
    """A claim pattern and what on the sheet makes it false (regexes over the sheet's text)."""

    label: str = Field(min_length=1)
    pattern: str = Field(min_length=1)
    contradicted_by: str | None = Field(default=None, description="The claim is false if the sheet matches.")
    supported_by: str | None = Field(default=None, description="The claim is false unless the sheet matches.")

    @field_validator("pattern", "contradicted_by", "supported_by")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            compile_pattern(value)
        return value


class ProductClaimsParams(DetectorParams):
    claims: list[ClaimSpec] = Field(min_length=1)


def _optional(pattern: str | None) -> re.Pattern[str] | None:
    return compile_pattern(pattern) if pattern is not None else None


def _sheet_text(product: Product) -> str:
    return "\n".join(
        [product.term or "", *product.fees, *product.disclosures, *product.eligibility, *product.benefits]
    )


class ProductClaimsDetector:
    """AD-03 deterministic part: qualitative claims the product sheet contradicts."""

    anchors: frozenset[str] | None = None  # always runs (metadata, structure or missing elements)
    tracked: frozenset[str] = frozenset()

    def __init__(self, params: ProductClaimsParams) -> None:
        self.params = params
        self._claims = [
            (
                spec,
                compile_pattern(spec.pattern),
                _optional(spec.contradicted_by),
                _optional(spec.supported_by),
            )
            for spec in params.claims
        ]

    def detect(self, ctx: DetectionContext) -> list[Hit]:
        product = ctx.product
        if product is None:
            return []
        sheet = _sheet_text(product)
        text = ctx.norm.text
        hits: list[Hit] = []
        for spec, pattern, contradiction, support in self._claims:
            contradicted = (contradiction is not None and contradiction.search(sheet) is not None) or (
                support is not None and support.search(sheet) is None
            )
            if not contradicted:
                continue
            for match in pattern.finditer(text):
                # The customer asking (客户问：征信不好也能借吗？) claims nothing about the product.
                if in_customer_turn(text, match.start(), match.end()) or is_question(text, match.end()):
                    continue
                if not is_negated(text, match.start(), 4):
                    hits.append(
                        Hit(start=match.start(), end=match.end(), detail=f"与产品说明不符：{spec.label}")
                    )
        return hits
