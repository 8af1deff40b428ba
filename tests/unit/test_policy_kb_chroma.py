"""The Chroma layer: registered embedding function, reopening in a new process, where= filters vs the sidecar."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from itertools import product
from pathlib import Path

import pytest

from tools.policy_kb import HashingEmbedder, KnowledgeBase
from tools.policy_kb.chroma_ef import EF_NAME, PolicyKbEmbeddingFunction, UnrebuildableEmbedderError
from tools.policy_kb.filters import SearchFilters, admits, where_clause
from tools.policy_kb.sidecar import Sidecar
from tools.policy_kb.vector_store import collection_name

ROOT = Path(__file__).parents[2]

DOC = """---
id: {id}
title: 文件{id}
type: {type}
issuer: 测试部门
effective_from: {start}
effective_to: {end}
channels: {channels}
products: {products}
citation: 《文件{id}》
evidence: internal
---
## 要点

{body}
"""

DOCS = [
    ("sms-rule", "regulation", "2024-01-01", "null", "[sms]", "all", "营销短信须带签名和退订方式。"),
    (
        "loan-rate",
        "regulation",
        "2026-08-01",
        "null",
        "[h5, wechat]",
        "[consumer_loan]",
        "贷款须展示年化利率。",
    ),
    ("old-rule", "internal_policy", "2020-01-01", "2025-12-31", "all", "[wealth]", "理财宣传须提示风险。"),
    ("brand", "brand_guide", "2024-01-01", "null", "all", "all", "语气亲切，不用感叹号。"),
    ("card", "product_sheet", "2025-06-01", "2026-12-31", "all", "[credit_card]", "信用卡分期手续费。"),
]

REOPEN = """
import json, sys
import chromadb
from chromadb.config import Settings
import tools.policy_kb.chroma_ef  # registers the embedding function, as any of our processes does
client = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))
collection = client.get_collection(sys.argv[2])  # no embedding function passed: rebuilt from the stored config
function = collection.configuration["embedding_function"]
top = collection.query(query_texts=["营销短信 退订"], n_results=1)["ids"][0][0]
print(json.dumps({"name": function.name(), "config": function.get_config(), "top": top,
                  "space": collection.configuration["hnsw"]["space"]}))
"""


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    root = tmp_path_factory.mktemp("chroma-kb")
    corpus = root / "corpus"
    corpus.mkdir()
    for doc_id, doc_type, start, end, channels, products, body in DOCS:
        text = DOC.format(
            id=doc_id, type=doc_type, start=start, end=end, channels=channels, products=products, body=body
        )
        (corpus / f"{doc_id}.md").write_text(text, "utf-8")
    knowledge_base = KnowledgeBase(root / "kb", corpus, HashingEmbedder(), include_product_sheets=False)
    knowledge_base.ingest()
    return knowledge_base


def test_collection_reopens_in_a_new_process_with_the_registered_embedding_function(
    kb: KnowledgeBase,
) -> None:
    completed = subprocess.run(
        [sys.executable, "-c", REOPEN, str(kb.kb_dir / "chroma"), kb.store.name],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    reopened = json.loads(completed.stdout.strip().splitlines()[-1])
    assert reopened["name"] == EF_NAME
    assert reopened["config"] == HashingEmbedder().config()
    assert reopened["space"] == "cosine"
    assert reopened["top"].startswith("sms-rule:")


def test_embedding_function_round_trips_through_its_config() -> None:
    function = PolicyKbEmbeddingFunction(HashingEmbedder(dim=128))
    rebuilt = PolicyKbEmbeddingFunction.build_from_config(function.get_config())
    assert isinstance(rebuilt, PolicyKbEmbeddingFunction)
    assert rebuilt.embedder.name == HashingEmbedder(dim=128).name
    assert [list(v) for v in rebuilt(["短信"])] == [list(v) for v in function(["短信"])]
    assert list(rebuilt.embed_query(["短信"])[0]) == list(HashingEmbedder(dim=128).embed_query("短信"))


def test_a_custom_embedder_reopens_but_refuses_to_embed_with_a_clear_message() -> None:
    class Custom(HashingEmbedder):
        @property
        def name(self) -> str:
            return "my-custom-model"

    config = PolicyKbEmbeddingFunction(_NotRebuildable(Custom())).get_config()
    assert config == {"kind": "custom", "name": "my-custom-model"}
    rebuilt = PolicyKbEmbeddingFunction.build_from_config(config)
    with pytest.raises(UnrebuildableEmbedderError, match="pass that embedder explicitly"):
        rebuilt(["短信"])


class _NotRebuildable:
    """Wraps an embedder, hiding ``kind`` and ``config`` (as a third-party embedder would not have them)."""

    def __init__(self, inner: HashingEmbedder) -> None:
        self._inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.embed_passages = inner.embed_passages
        self.embed_query = inner.embed_query


@pytest.mark.parametrize(
    "name", ["hashing-char-ngrams-v2(dim=1024,weights=0.4,1,1)", "openai-compatible(text-embedding-v3)", "x"]
)
def test_collection_names_are_valid_for_chroma_and_unique(name: str) -> None:
    collection = collection_name(name)
    assert 3 <= len(collection) <= 512
    assert all(ch.isalnum() or ch in "._-" for ch in collection)
    assert collection[0].isalnum() and collection[-1].isalnum()
    assert collection != collection_name(name + " ")


def test_where_clause_and_sidecar_predicate_select_the_same_chunks(kb: KnowledgeBase) -> None:
    collection = kb.store.existing()
    assert collection is not None
    chunks = Sidecar(list(kb.store.chunks(collection))).chunks
    days = [date(2019, 6, 1), date(2025, 12, 31), date(2026, 1, 1), date(2026, 8, 1), date(2027, 1, 1)]
    grid = product(
        days, [None, "regulation", "product_sheet"], [None, "consumer_loan", "wealth"], [None, "sms", "h5"]
    )
    selected_something = 0
    for day, doc_type, product_type, channel in grid:
        filters = SearchFilters(as_of=day, doc_type=doc_type, product_type=product_type, channel=channel)
        by_chroma = set(collection.get(where=where_clause(filters))["ids"])
        by_predicate = {c.id for c in chunks if admits(filters, c)}
        assert by_chroma == by_predicate, filters
        selected_something += bool(by_chroma)
    assert selected_something > 20  # the grid is not trivially empty


def test_effective_dates_bound_results_inclusively(kb: KnowledgeBase) -> None:
    def docs(day: date) -> set[str]:
        return {p.doc_id for p in kb.search("规则", 10, as_of=day)}

    assert "old-rule" in docs(date(2025, 12, 31)) and "old-rule" not in docs(date(2026, 1, 1))
    assert "loan-rate" not in docs(date(2026, 7, 31)) and "loan-rate" in docs(date(2026, 8, 1))
    assert "card" in docs(date(2026, 12, 31)) and "card" not in docs(date(2027, 1, 1))


def test_filters_reject_unknown_values() -> None:
    with pytest.raises(ValueError, match="unknown channel 'fax'"):
        SearchFilters(as_of=date(2026, 1, 1), channel="fax")
