"""Policy knowledge base: markdown corpus + product sheets → chunks → embeddings → filtered, citable search.

Typical use::

    kb = KnowledgeBase(get_settings().kb_dir)
    kb.ingest()
    for passage in kb.search("短信营销需要退订方式吗", channel="sms"):
        print(passage.cite(), passage.text)
"""

from tools.policy_kb.chunk import Chunk, chunk_document
from tools.policy_kb.documents import CorpusError, PolicyDocument, load_corpus, parse_document
from tools.policy_kb.embedding import Embedder, HashingEmbedder
from tools.policy_kb.index import KnowledgeBase
from tools.policy_kb.models import IngestReport, Passage
from tools.policy_kb.product_sheets import render_product_sheet, render_product_sheets
from tools.policy_kb.retrieval import section_citation
from tools.policy_kb.store import IndexCorruptError

__all__ = [
    "Chunk",
    "CorpusError",
    "Embedder",
    "HashingEmbedder",
    "IndexCorruptError",
    "IngestReport",
    "KnowledgeBase",
    "Passage",
    "PolicyDocument",
    "chunk_document",
    "load_corpus",
    "parse_document",
    "render_product_sheet",
    "render_product_sheets",
    "section_citation",
]
