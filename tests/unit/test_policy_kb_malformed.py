"""A malformed corpus document stops the ingest with a message naming file and field, index untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.test_policy_kb_index import make_kb, stored, write_doc
from tools.policy_kb import CorpusError, KnowledgeBase

VALID_FRONT = """---
id: bad
title: 坏文件
type: internal_policy
issuer: 测试部门
effective_from: 2024-01-01
channels: all
products: all
citation: 《坏文件》
evidence: internal
---
"""


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_doc(folder, "a", "营销短信须带签名和退订方式。")
    write_doc(folder, "b", "外呼只能在规定时段拨打。")
    return folder


@pytest.mark.parametrize(
    ("text", "field", "problem"),
    [
        ("---\nid: bad\ntitle: [未闭合\n---\n正文。", "front matter", "not valid YAML"),
        ("没有前言的正文。", "front matter", "missing"),
        (VALID_FRONT.replace("type: internal_policy", "type: memo") + "正文。", "type", "Input should be"),
        (VALID_FRONT + "\n   \n", "body", "at least 1 character"),
        (VALID_FRONT + "## 只有标题\n\n### 还是标题\n", "body", "no indexable text"),
    ],
    ids=["bad-yaml", "no-front-matter", "unknown-type", "empty-body", "headings-only"],
)
def test_malformed_document_names_file_and_field_and_leaves_the_index_untouched(
    tmp_path: Path, corpus: Path, text: str, field: str, problem: str
) -> None:
    kb = make_kb(tmp_path, corpus)
    kb.ingest()
    before = stored(kb)
    # The same ingest would also remove a and change b: none of that may happen when one file is bad.
    (corpus / "a.md").unlink()
    write_doc(corpus, "b", "外呼只能在每日九点到二十一点之间拨打。")
    (corpus / "zz-bad.md").write_text(text, encoding="utf-8")
    with pytest.raises(CorpusError) as error:
        make_kb(tmp_path, corpus).ingest()
    assert str(error.value).startswith(f"zz-bad.md: field '{field}': ")
    assert problem in str(error.value)
    assert (error.value.source, error.value.field) == ("zz-bad.md", field)
    assert stored(kb) == before
    assert kb.search("营销短信退订")[0].doc_id == "a"


def test_a_duplicate_id_names_both_files_and_writes_nothing(tmp_path: Path, corpus: Path) -> None:
    kb: KnowledgeBase = make_kb(tmp_path, corpus)
    kb.ingest()
    before = stored(kb)
    (corpus / "copy-of-a.md").write_text((corpus / "a.md").read_text("utf-8"), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"^copy-of-a\.md: field 'id': 'a' is already used by a\.md$"):
        kb.ingest()
    assert stored(kb) == before
