"""Guess a text's product type from its product words, for checks called without structured product data.

The catalog (§1.8) prefers the product type from product master data; this fallback exists so that a draft
checked without one still gets its product-gated rules (理财 → WM-01, 贷款 → LN-01). Compound names are
tested first because they contain generic words (结构性存款 contains 存款, 经营贷 contains 贷); among the
generic kinds the earliest mention wins, since copy names its product early; plain deposits come last
because 存款 also appears in mandatory wording about other products (理财非存款, 存款保险).

Investor-education and anti-fraud texts (投资者教育, 谨防非法理财, 理财知识) mention product words without
promoting a product, so they get no product type unless they also carry an offer (a rate or a minimum
amount), which only a real promotion has.
"""

from __future__ import annotations

import re
from functools import lru_cache

from core.domain import ProductType
from core.settings import get_settings
from tools.compliance.normalize import NormalizedText, normalize
from tools.products import ProductCatalog, default_catalog

_SPECIFIC: tuple[tuple[ProductType, re.Pattern[str]], ...] = (
    ("structured_deposit", re.compile(r"结构性存款|结构存款")),
    ("large_cd", re.compile(r"大额存单")),
    ("business_loan", re.compile(r"经营贷|经营性贷款|经营快贷|小微企业贷款|商户贷")),
)
_GENERIC: tuple[tuple[ProductType, re.Pattern[str]], ...] = (
    ("credit_card", re.compile(r"信用卡|分期")),
    ("consumer_loan", re.compile(r"消费贷|信用贷|现金贷|贷款|借款|借钱|随借随还|下款|放款")),
    # 理财经理/理财师 are job titles, not a product; 理财、基金等投资类产品 names a class of products in a service
    # notice, not one on offer.
    ("wealth", re.compile(r"理财(?!经理|师|顾问|规划师|、基金等|和基金等|、基金、)")),
    ("fund", re.compile(r"基金(?!经理|等投资|等产品)")),
    # 存款保险 is deposit insurance and 保险柜/保险箱 are safes, not insurance products.
    # The look-behind sits after the literal so the regex still starts with one (sre's fast prefix scan).
    ("insurance", re.compile(r"保险(?<!存款保险)(?![柜箱])|保单|年金险|重疾险|寿险")),
)
_DEPOSIT = re.compile(r"存款|定期|活期|存单|储蓄")
_EDUCATION = re.compile(
    r"投资者教育|投教|金融知识|理财知识|金融常识|风险教育|消费者教育|知识普及|小课堂|"
    r"谨防非法|警惕非法|防范非法|非法理财|非法集资|反诈|防诈|防骗|骗局|诈骗|警惕|报警|内部培训|话术红线|"
    # Staff style guides list banned wording to forbid it (营销文案写作规范…禁用表述).
    r"写作规范|文案规范|宣传规范|禁用表述|禁用语|禁用词|内训|自查清单|话术规范|"
    # Consumer-protection advice closing a piece that sells nothing (理性使用分期，量入为出，避免过度负债).
    r"量入为出|过度负债|您有权|"
    # Consumer-protection and anti-impersonation notices (FAQs are found by _has_faq_question).
    r"消费者权益保护|消保宣传|权益保护宣传|冒充|冒名|谨防|"
    # Staff training quizzes and round-ups of regulators' penalties quote the wording that was punished.
    r"员工培训|培训材料|培训使用|合规小测验|小测验|行政处罚|处罚决定|罚单|学习参考|"
    # Glossaries define the terms they list (【理财小词典】…7. 保本：…不得承诺保本保收益).
    r"小词典|名词解释|词条"
)
# What turns a text into an offer: a percentage, or an amount to buy, deposit or borrow.
_OFFER = re.compile(
    r"\d+(?:\.\d+)?\s*%|起购|起存|起投|元起|万起|额度[^。;!?\n]{0,6}\d|申购|认购|立即购买|马上抢"
)


# Quoted passages: an anti-fraud text quotes the scammers' offer (“稳赚不赔、年化收益15%”) without making one.
_QUOTED = re.compile(r'“[^”\n]*”|"[^"\n]*"|「[^」\n]*」')
# A worked example, to the end of its sentence: 以12期、每期0.6%为例，折算成年化利率约为13.0%. Its figures
# illustrate a calculation; they are no rate the text offers.
# How a figure seems (听上去不到1%) is also an explanation, to the end of its clause. Three patterns applied in
# turn: joined into one alternation they ran six times slower (no first-character scan for the engine).
_WORKED_EXAMPLES = (
    re.compile(r"(?:假设|假如|比如|例如|举例|举个例子|折算|换算)[^。;!?\n]*"),
    re.compile(r"以[^。;!?\n]{0,20}为例[^。;!?\n]*"),
    re.compile(r"(?:听上去|听起来|看上去|看起来|乍一看)[^,。;!?\n]*"),
    # A line of arithmetic (| 日利率0.0493% | 0.0493%×365 | 约18.0% |; 月利率＝7.2%÷12＝0.6%).
    # Anchored at line starts: an unanchored leading [^\n]* retries from every position (quadratic in a line).
    re.compile(r"(?m)^[^\n]*[×÷]\s*\d[^\n]*"),
    re.compile(r"(?m)^[^\n]*(?:仅为示例|仅为演示|仅作演示)[^\n]*"),
)


def _without_worked_examples(text: str) -> str:
    for pattern in _WORKED_EXAMPLES:
        text = pattern.sub("", text)
    return text


_FAQ_QUESTION = "问:"  # normalised text folds 问：to 问:


def _has_faq_question(normalised: str) -> bool:
    """Whether a line opens with 问: (an FAQ explains rather than sells).

    A plain ``find`` instead of a ``^``-anchored alternative in _EDUCATION: a zero-width start there took away the
    regex engine's first-character scan and made the whole pattern ten times slower.
    """
    position = normalised.find(_FAQ_QUESTION)
    while position != -1:
        if position == 0 or normalised[position - 1] == "\n":
            return True
        position = normalised.find(_FAQ_QUESTION, position + 1)
    return False


# The last few answers, looked up by identity: product-type inference and every framing check of one check ask
# about the same normalised str.
_RECENT_FRAMES: tuple[tuple[str, bool], ...] = ()
_RECENT_SIZE = 4


def is_education_frame(normalised: str) -> bool:
    """``_education_frame``, remembered for the last few texts (a tuple swap is atomic under the GIL)."""
    global _RECENT_FRAMES
    for text, answer in _RECENT_FRAMES:
        if text is normalised:
            return answer
    answer = _education_frame(normalised)
    _RECENT_FRAMES = ((normalised, answer), *_RECENT_FRAMES[: _RECENT_SIZE - 1])
    return answer


def _education_frame(normalised: str) -> bool:
    """True for investor-education or anti-fraud text that makes no offer (no rate, no amount to buy).

    Offers inside quotation marks are what the text warns against, and figures in a worked example illustrate a
    calculation, so neither counts as the text's own.
    """
    if _EDUCATION.search(normalised) is None and not _has_faq_question(normalised):
        return False
    unquoted = _QUOTED.sub("", normalised)
    if _OFFER.search(unquoted) is None:
        return True
    # Only when an offer remains is it worth the slower pass that removes worked examples.
    return _OFFER.search(_without_worked_examples(unquoted)) is None


def _catalog_names() -> tuple[tuple[str, ProductType], ...]:
    return _names_of(default_catalog(), get_settings().bank_short_name)


@lru_cache(maxsize=4)
def _names_of(catalog: ProductCatalog, bank_short_name: str) -> tuple[tuple[str, ProductType], ...]:
    """Each catalog product's distinctive names (full, without the bank's name, without the bracket), longest first.

    Cached per catalog object and bank name: normalising every product name on every check cost more than
    the rest of the inference.
    """
    names: dict[str, ProductType] = {}
    for product in catalog:
        full = normalize(product.name).text
        short = full.removeprefix(bank_short_name)
        for name in (full, short, short.split("(")[0]):
            if len(name) >= 4:
                names.setdefault(name, product.type)
    return tuple(sorted(names.items(), key=lambda item: -len(item[0])))


@lru_cache(maxsize=4)
def _names_pattern(
    names: tuple[tuple[str, ProductType], ...],
) -> tuple[re.Pattern[str], dict[str, ProductType]]:
    """One alternation over the names, longest first, so a single pass finds the earliest (and longest) one.

    A ``name in text`` per name cost ~150 µs a draft: every name starts with the bank's name, which bank copy
    repeats everywhere, so each substring search stopped at every occurrence.
    """
    pattern = re.compile("|".join(re.escape(name) for name, _ in names))
    return pattern, dict(names)


def _named_product_type(normalised: str) -> ProductType | None:
    """The type of the catalog product named earliest in the text (示例e贷 → consumer_loan); at one position the
    longest name wins (示例银行整存整取定期存款(1年期) over a shorter name it starts with)."""
    names = _catalog_names()
    if not names:
        return None
    pattern, type_of = _names_pattern(names)
    match = pattern.search(normalised)
    return type_of[match.group(0)] if match is not None else None


def infer_product_type(text: str | NormalizedText) -> ProductType | None:
    """The product type a marketing text is about, or None when it names no product.

    A product of the catalog named in the text decides first (product data over wording, catalog §1.8); then
    product words, compound names before generic ones.
    """
    normalised = text.text if isinstance(text, NormalizedText) else normalize(text).text
    if is_education_frame(normalised):
        return None
    named = _named_product_type(normalised)
    if named is not None:
        return named
    for product_type, pattern in _SPECIFIC:
        if pattern.search(normalised):
            return product_type
    earliest: tuple[int, ProductType] | None = None
    for product_type, pattern in _GENERIC:
        match = pattern.search(normalised)
        if match is not None and (earliest is None or match.start() < earliest[0]):
            earliest = (match.start(), product_type)
    if earliest is not None:
        return earliest[1]
    return "deposit" if _DEPOSIT.search(normalised) else None
