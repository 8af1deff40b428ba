"""Corpus front matter: parsing, validation errors, the shipped corpus and the rendered product sheets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from core.domain import CHANNELS, PRODUCT_TYPES
from tools.policy_kb.documents import (
    DEFAULT_CORPUS_DIR,
    CorpusError,
    ensure_unique_ids,
    load_corpus,
    parse_document,
)
from tools.policy_kb.product_sheets import render_product_sheets
from tools.products import load_products

FRONT = """---
id: doc-a
title: 测试文件
type: regulation
issuer: 测试机关
effective_from: 2020-01-01
effective_to: null
channels: all
products: [wealth]
citation: 《测试办法》
evidence: S
---
第一条 内容。
"""


def test_parse_expands_all_and_keeps_metadata() -> None:
    doc = parse_document(FRONT, source="a.md")
    assert doc.channels == CHANNELS
    assert doc.products == ("wealth",)
    assert doc.effective_from == date(2020, 1, 1) and doc.effective_to is None
    assert doc.body == "第一条 内容。"
    assert doc.in_force_on(date(2020, 1, 1)) and not doc.in_force_on(date(2019, 12, 31))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("第一条 没有前言", "field 'front matter': missing"),
        ("---\nid: x\n第一条", "not closed"),
        (FRONT.replace("type: regulation", "type: memo"), "field 'type'"),
        (FRONT.replace("citation: 《测试办法》\n", ""), "field 'citation'"),
        (FRONT.replace("evidence: S", "evidence: X"), "field 'evidence'"),
        (FRONT.replace("products: [wealth]", "products: [mortgage]"), r"field 'products\.0'"),
        (FRONT.replace("effective_to: null", "effective_to: 2019-01-01"), "effective_to must not be before"),
        (FRONT.replace("issuer: 测试机关", "issuer: 测试机关\nauthor: 某人"), "field 'author'"),
    ],
)
def test_invalid_front_matter_names_file_and_field(text: str, message: str) -> None:
    with pytest.raises(CorpusError, match=message) as error:
        parse_document(text, source="bad.md")
    assert str(error.value).startswith("bad.md: ")


def test_duplicate_ids_name_both_sources(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(FRONT, encoding="utf-8")
    (tmp_path / "b.md").write_text(FRONT, encoding="utf-8")
    with pytest.raises(CorpusError, match=r"b\.md: field 'id': 'doc-a' is already used by a\.md"):
        ensure_unique_ids(load_corpus(tmp_path))


def test_missing_corpus_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope")


def test_shipped_corpus_covers_the_required_sources() -> None:
    docs = {doc.id: doc for doc in load_corpus(DEFAULT_CORPUS_DIR)}
    assert len(docs) >= 12
    citations = " ".join(doc.citation for doc in docs.values())
    for source in (
        "广告法",
        "316号",
        "〔2021〕第3号",
        "理财",
        "个人信息保护法",
        "消费者权益保护法实施条例",
        "存款保险条例",
        "人工智能生成合成内容标识办法",
        "金融产品网络营销管理办法",
        "综合融资成本",
    ):
        assert source in citations, source
    assert docs["reg-online-marketing-2026"].effective_from == date(2026, 9, 30)
    assert docs["reg-financing-cost-2026"].effective_from == date(2026, 8, 1)
    assert {d.type for d in docs.values()} >= {"regulation", "internal_policy", "brand_guide"}
    policy = docs["int-marketing-policy"].body
    for fact in ("09:00至21:00", "【示例银行】", "拒收请回复R", "180天"):
        assert fact in policy, fact
    ad_law = docs["reg-ad-law"].body
    assert all(f"第{n}条" in ad_law for n in ("九", "二十五", "四十三"))


def test_product_sheets_are_rendered_from_the_catalog_facts() -> None:
    catalog = load_products()
    sheets = {sheet.id: sheet for sheet in render_product_sheets(catalog)}
    assert len(sheets) == len(catalog)
    for product in catalog:
        sheet = sheets[f"product-{product.id}"]
        assert sheet.type == "product_sheet" and sheet.products == (product.type,)
        assert all(line in sheet.body for line in product.disclosures + product.fees + product.benefits)
    loan = sheets["product-CL-001"]
    assert "年化利率（单利）：3.6%–18%" in loan.body
    assert set(sheets["product-FD-001"].products) <= set(PRODUCT_TYPES)
    assert sheets["product-FD-001"].issuer == "示例基金管理有限公司"
