"""Policy knowledge base: markdown corpus + product sheets → chunks → embeddings in Chroma → filtered, citable search.

Typical use::

    kb = KnowledgeBase(get_settings().kb_dir)      # embedder and store from MBRAIN_KB_* settings
    kb.ingest()
    for passage in kb.search("短信营销需要退订方式吗", channel="sms"):
        print(passage.cite(), passage.text)
"""

from tools.policy_kb.chunk import Chunk, chunk_document
from tools.policy_kb.clients import close_clients
from tools.policy_kb.config import KbSettings, load_kb_settings
from tools.policy_kb.documents import CorpusError, PolicyDocument, load_corpus, parse_document
from tools.policy_kb.embedding import Embedder, HashingEmbedder, RebuildableEmbedder
from tools.policy_kb.factory import build_embedder, embedder_from_config
from tools.policy_kb.index import KnowledgeBase
from tools.policy_kb.models import IngestReport, Passage, section_citation
from tools.policy_kb.neural import E5Embedder, FastUseEmbedder
from tools.policy_kb.product_sheets import render_product_sheet, render_product_sheets
from tools.policy_kb.records import IndexCorruptError
from tools.policy_kb.remote import EmbeddingEndpointError, OpenAICompatibleEmbedder

__all__ = [
    "Chunk",
    "CorpusError",
    "E5Embedder",
    "Embedder",
    "EmbeddingEndpointError",
    "FastUseEmbedder",
    "HashingEmbedder",
    "IndexCorruptError",
    "IngestReport",
    "KbSettings",
    "KnowledgeBase",
    "OpenAICompatibleEmbedder",
    "Passage",
    "PolicyDocument",
    "RebuildableEmbedder",
    "build_embedder",
    "chunk_document",
    "close_clients",
    "embedder_from_config",
    "load_corpus",
    "load_kb_settings",
    "parse_document",
    "render_product_sheet",
    "render_product_sheets",
    "section_citation",
]
