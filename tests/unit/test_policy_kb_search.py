"""Knowledge-base retrieval on the shipped corpus: paraphrased questions, filters, dates and citations."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.clock import set_clock
from tools.policy_kb import HashingEmbedder, KnowledgeBase, Passage

AS_OF = date(2026, 11, 23)


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    knowledge_base = KnowledgeBase(tmp_path_factory.mktemp("kb"), embedder=HashingEmbedder())
    knowledge_base.ingest()
    return knowledge_base


def _top(
    kb: KnowledgeBase,
    query: str,
    k: int = 3,
    *,
    doc_type: str | None = None,
    product_type: str | None = None,
    channel: str | None = None,
) -> list[Passage]:
    return kb.search(query, k, as_of=AS_OF, doc_type=doc_type, product_type=product_type, channel=channel)


def test_paraphrased_absolute_terms_question_finds_ad_law_article_nine(kb: KnowledgeBase) -> None:
    hits = _top(kb, "宣传里能不能说我们是最好的银行")
    article = next(p for p in hits if p.doc_id == "reg-ad-law" and p.section == "第九条")
    assert article.citation == "《中华人民共和国广告法》第九条"
    assert article.cite() == "《中华人民共和国广告法》第九条 [V]"


@pytest.mark.parametrize(
    ("query", "doc_id", "section"),
    [
        ("短信营销要不要写退订方式", "reg-ad-law", "第四十三条"),
        ("贷款页面只写日利率可以吗", "reg-pbc-2021-3", "年化利率的展示方式"),
        ("客户拒绝后多久不能再打", "int-marketing-policy", "拒绝与免打扰"),
        ("理财宣传可以写预期收益吗", "reg-wealth-sales-2021", "收益与业绩比较基准的展示"),
    ],
)
def test_paraphrased_questions_find_the_governing_section(
    kb: KnowledgeBase, query: str, doc_id: str, section: str
) -> None:
    assert (doc_id, section) in [(p.doc_id, p.section) for p in _top(kb, query)]


def test_every_passage_carries_its_citation_fields(kb: KnowledgeBase) -> None:
    for passage in _top(kb, "贷款年化利率", k=10):
        assert passage.citation and passage.title and passage.text and passage.issuer
        assert passage.effective_from <= AS_OF
        assert passage.effective_to is None or passage.effective_to >= AS_OF
        assert passage.doc_type in {"regulation", "internal_policy", "product_sheet", "brand_guide"}
        assert passage.evidence in {"V", "S", "M", "internal"}


def test_results_are_sorted_and_deterministic(kb: KnowledgeBase) -> None:
    first = _top(kb, "外呼时段", k=8)
    assert [p.score for p in first] == sorted((p.score for p in first), reverse=True)
    assert first == _top(kb, "外呼时段", k=8)


def test_doc_type_filter(kb: KnowledgeBase) -> None:
    hits = _top(kb, "示例e贷 年化利率", k=5, doc_type="product_sheet")
    assert hits and all(p.doc_type == "product_sheet" for p in hits)
    assert hits[0].doc_id == "product-CL-001"


def test_product_type_filter_drops_documents_for_other_products(kb: KnowledgeBase) -> None:
    unfiltered = {p.doc_id for p in _top(kb, "理财非存款 业绩比较基准", k=10)}
    assert "reg-wealth-sales-2021" in unfiltered
    filtered = _top(kb, "理财非存款 业绩比较基准", k=10, product_type="consumer_loan")
    assert filtered
    assert not {p.doc_id for p in filtered} & {
        "reg-wealth-sales-2021",
        "product-WM-R2-001",
        "product-WM-R4-001",
    }


def test_channel_filter(kb: KnowledgeBase) -> None:
    hits = _top(kb, "综合融资成本明示表", k=10, channel="wecom")
    assert "reg-financing-cost-2026" not in {p.doc_id for p in hits}  # that summary lists no 企业微信
    assert "reg-financing-cost-2026" in {p.doc_id for p in _top(kb, "综合融资成本明示表", channel="h5")}


def test_documents_not_yet_in_force_are_not_returned(kb: KnowledgeBase) -> None:
    query = "综合融资成本明示表"
    assert "reg-financing-cost-2026" in {p.doc_id for p in kb.search(query, 5, as_of=date(2026, 8, 1))}
    assert "reg-financing-cost-2026" not in {p.doc_id for p in kb.search(query, 10, as_of=date(2026, 7, 31))}


def test_expired_documents_are_not_returned(kb: KnowledgeBase) -> None:
    # The large-CD issue runs until 2026-12-31; afterwards its product sheet is no longer current.
    query = "大额存单 3年期 年利率"
    assert kb.search(query, 3, as_of=date(2026, 12, 31))[0].doc_id == "product-LCD-001"
    assert "product-LCD-001" not in {p.doc_id for p in kb.search(query, 20, as_of=date(2027, 1, 1))}


def test_default_as_of_is_today_in_the_bank_time_zone(kb: KnowledgeBase) -> None:
    # 2026-07-31 16:30 UTC is already 2026-08-01 in Shanghai, the day the financing-cost rule starts.
    set_clock(lambda: datetime(2026, 7, 31, 16, 30, tzinfo=UTC))
    try:
        assert "reg-financing-cost-2026" in {p.doc_id for p in kb.search("综合融资成本明示表", 5)}
    finally:
        set_clock(None)


@pytest.mark.parametrize("query", ["", "   \n"])
def test_empty_query_is_rejected(kb: KnowledgeBase, query: str) -> None:
    with pytest.raises(ValueError, match="query must not be empty"):
        kb.search(query)


def test_bad_arguments_are_rejected(kb: KnowledgeBase) -> None:
    with pytest.raises(ValueError, match="k must be at least 1"):
        kb.search("短信", k=0)
    with pytest.raises(ValueError, match="unknown doc_type 'law'"):
        kb.search("短信", doc_type="law")
    with pytest.raises(ValueError, match="unknown product_type"):
        kb.search("短信", product_type="mortgage")
    with pytest.raises(ValueError, match="unknown channel"):
        kb.search("短信", channel="fax")


def test_no_eligible_document_returns_empty_list(kb: KnowledgeBase) -> None:
    assert kb.search("短信", as_of=date(1990, 1, 1)) == []
