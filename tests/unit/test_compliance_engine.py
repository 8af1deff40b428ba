"""check(): input validation, product-type inference, original-text spans, ordering, custom rule sets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from tools.compliance import check, infer_product_type, load_rules

DAY = date(2026, 11, 23)


@pytest.mark.parametrize("text", ["", "   \n", "\u200b\ufeff"])
def test_empty_text_is_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        check(text, "sms", on_date=DAY)


def test_unknown_channel_and_product_type_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown channel 'fax'"):
        check("你好", "fax", on_date=DAY)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown product type 'gold'"):
        check("你好", "sms", "gold", on_date=DAY)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="bank_short_name"):
        check("你好", "sms", on_date=DAY, bank_short_name=" ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("示例理财恒信180天持有期。理财非存款、产品有风险、投资须谨慎", "wealth"),
        ("挂钩黄金的结构性存款，91天", "structured_deposit"),
        ("2026年第3期大额存单发售", "large_cd"),
        ("小微商户经营贷，随借随还", "business_loan"),
        ("示例消费贷，贷款资金不得用于投资理财", "consumer_loan"),
        ("信用卡账单分期", "credit_card"),
        ("示例稳健基金", "fund"),
        ("示例人寿年金保险", "insurance"),
        ("整存整取定期存款，受存款保险保护", "deposit"),
        ("示例银行祝您中秋快乐", None),
        ("貸款額度", "consumer_loan"),
    ],
)
def test_infer_product_type(text: str, expected: str | None) -> None:
    assert infer_product_type(text) == expected


def test_inferred_product_type_gates_product_rules() -> None:
    inferred = check("示例理财，稳健之选", "wechat", on_date=DAY, bank_short_name="示例银行")
    assert "WM-01" in {f.rule_id for f in inferred.findings}
    told = check("示例理财，稳健之选", "wechat", "fund", on_date=DAY, bank_short_name="示例银行")
    assert "WM-01" not in {f.rule_id for f in told.findings}


def test_spans_index_the_original_text_after_normalisation() -> None:
    original = "ＶＩＰ专享：本产品\u200b保　本\u200d保息，稳赚不赔！"
    result = check(original, "h5", "fund", on_date=DAY, bank_short_name="示例银行")
    spans = [f.span for f in result.findings if f.rule_id == "FM-01" and f.span]
    assert [(s.start, s.end) for s in spans] == [(10, 16), (17, 21)]
    assert all(original[s.start : s.end] == s.quote for s in spans)
    assert spans[0].quote == "保　本\u200d保息"


def test_finding_carries_rule_metadata() -> None:
    [finding] = check("示例理财保本保息", "wechat", "fund", on_date=DAY, bank_short_name="示例银行").findings[
        :1
    ]
    assert finding.rule_id == "FM-01" and finding.category == "guaranteed_return"
    assert finding.detector == "lexicon" and "[V]" in finding.citation and finding.fix


def test_verdict_and_ordering() -> None:
    result = check(
        "示例消费贷不看征信，日息万三", "sms", "consumer_loan", on_date=DAY, bank_short_name="示例银行"
    )
    assert result.verdict == "block"
    spanned = [f for f in result.findings if f.span]
    missing = [f for f in result.findings if f.span is None]
    assert result.findings == spanned + missing
    assert [f.span.start for f in spanned if f.span] == sorted(f.span.start for f in spanned if f.span)
    assert {f.rule_id for f in missing} == {"SMS-01", "SMS-02"}


def test_clean_text_passes_and_warn_only_text_warns() -> None:
    clean = check("示例银行祝您中秋快乐", "wechat", on_date=DAY, bank_short_name="示例银行")
    assert clean.verdict == "pass" and clean.findings == []
    warn = check("示例银行，您身边的首选银行", "wechat", on_date=DAY, bank_short_name="示例银行")
    assert warn.verdict == "warn"


def test_check_is_deterministic() -> None:
    text = "【示例银行】示例消费贷日息万三，保本保息，联系13800138000"
    first = check(text, "sms", on_date=DAY, bank_short_name="示例银行")
    assert all(check(text, "sms", on_date=DAY, bank_short_name="示例银行") == first for _ in range(3))


def test_custom_rule_set_replaces_the_default(tmp_path: Path) -> None:
    rule = {
        "id": "XX-01",
        "group": "general",
        "category": "misleading_claim",
        "title": "测试",
        "citation": "内部制度第1条 [M]",
        "channels": ["sms"],
        "effective_from": "2020-01-01",
        "detector": {"type": "lexicon", "params": {"terms": ["包您满意"]}},
        "severity": "warn",
        "message": "测试用语",
        "fix": "删除",
    }
    path = tmp_path / "one.yaml"
    path.write_text(yaml.safe_dump([rule], allow_unicode=True), encoding="utf-8")
    result = check(
        "包您满意，保本保息", "sms", on_date=DAY, rules=load_rules(path), bank_short_name="示例银行"
    )
    assert [f.rule_id for f in result.findings] == ["XX-01"]
    assert result.findings[0].span is not None and result.findings[0].span.quote == "包您满意"


def test_audience_channel_has_no_text_rules() -> None:
    assert check("不看征信，保本保息", "audience", on_date=DAY).verdict == "pass"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("示例e贷新客专享，额度以审批结果为准。", "consumer_loan"),  # no product word, only the catalog name
        ("悦享信用卡首年免年费。", "credit_card"),
        ("示例经营快贷与示例e贷都可线上申请。", "business_loan"),  # the earliest named product decides
    ],
)
def test_product_type_is_inferred_from_catalog_product_names(text: str, expected: str) -> None:
    assert infer_product_type(text) == expected
