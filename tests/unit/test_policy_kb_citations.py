"""Rule citations resolve deterministically to the knowledge-base document and section they name."""

from __future__ import annotations

import pytest

from tools.compliance import default_rules
from tools.policy_kb.citations import resolve_citation
from tools.policy_kb.documents import DEFAULT_CORPUS_DIR, load_corpus


@pytest.mark.parametrize("rule_id", sorted(rule.id for rule in default_rules()))
def test_every_rule_citation_resolves_to_a_section_of_the_corpus(rule_id: str) -> None:
    rule = default_rules().get(rule_id)
    links = resolve_citation(rule.citation, hint=f"{rule.title} {rule.message}")
    assert links, f"{rule_id}: no part of {rule.citation!r} names a knowledge-base document"
    first = links[0]
    assert first.section, f"{rule_id}: resolved to {first.doc_id} but to no section of it"
    documents = {doc.id: doc for doc in load_corpus(DEFAULT_CORPUS_DIR)}
    assert first.section in documents[first.doc_id].body


@pytest.mark.parametrize(
    ("citation", "doc_id", "section"),
    [
        ("广告法第九条(三) [V]；第五十七条 [V]", "reg-ad-law", "第九条"),
        ("《关于进一步规范金融营销宣传行为的通知》(银发〔2019〕316号) [S]", "reg-pbc-2019-316", ""),
        (
            "《金融产品网络营销管理办法（征求意见稿）》精准营销 [S]",
            "reg-online-marketing-draft-2021",
            "精准营销与分区展示",
        ),
        ("原银保监会消保局2022年第2期风险提示（混淆概念）[S]", "reg-cbirc-risk-alert-2022-2", "混淆概念"),
        ("消费者权益保护法实施条例第二十四条 [S]", "reg-consumer-protection-2024", "第二十四条"),
    ],
)
def test_citation_parts_map_to_the_named_document(citation: str, doc_id: str, section: str) -> None:
    first = resolve_citation(citation)[0]
    assert first.doc_id == doc_id
    if section:
        assert first.section == section


def test_an_article_after_a_law_inherits_it_and_unknown_sources_resolve_to_nothing() -> None:
    links = resolve_citation("广告法第九条(三) [V]；第五十七条 [V]")
    assert [(link.doc_id, link.section) for link in links] == [
        ("reg-ad-law", "第九条"),
        ("reg-ad-law", "第五十七条"),
    ]
    assert resolve_citation("某地方性规定 [M]") == []
