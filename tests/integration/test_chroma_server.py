"""The knowledge base against a real Chroma server (``chroma run``) through ``HttpClient``.

The fixture starts the server shipped in the chromadb wheel on a free loopback port with a temp data folder,
polls its heartbeat until it answers, and always stops it afterwards. The embedding function runs client-side,
so the hashing embedder keeps this fast.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import chromadb
import httpx
import pytest

import tools.policy_kb.chroma_ef  # noqa: F401  (registers the embedding function for the reopen check)
from tools.policy_kb import HashingEmbedder, KbSettings, KnowledgeBase, close_clients

CHROMA = Path(sys.executable).parent / "chroma"
START_TIMEOUT_S = 20.0

DOC = """---
id: {id}
title: 文件{id}
type: {type}
issuer: 测试部门
effective_from: 2024-01-01
effective_to: {end}
channels: {channels}
products: all
citation: 《文件{id}》
evidence: internal
---
## 要点

{body}
"""


@dataclass(frozen=True)
class ChromaServer:
    host: str
    port: int
    data: Path


def _free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_listening(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    """Poll the heartbeat; fail with the server's log if it exits or does not answer in time."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        try:
            process.wait(
                timeout=0.05
            )  # returns at once if the server died; otherwise this is the poll interval
        except subprocess.TimeoutExpired:
            continue
        raise RuntimeError(
            f"chroma exited with {process.returncode}:\n{log.read_text(errors='replace')[-2000:]}"
        )
    raise RuntimeError(f"chroma did not answer {url} within {START_TIMEOUT_S} s")


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    assert CHROMA.is_file(), f"{CHROMA} is missing (it ships in the chromadb wheel)"
    root = tmp_path_factory.mktemp("chroma-server")
    port = _free_port()
    log = root / "chroma.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(CHROMA), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(root / "data")],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_listening(process, f"http://127.0.0.1:{port}/api/v2/heartbeat", log)
        yield ChromaServer("127.0.0.1", port, root / "data")
    finally:
        close_clients()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    docs = [
        ("sms", "regulation", "null", "[sms]", "营销短信须带签名和退订方式。"),
        ("call", "internal_policy", "null", "[call_script]", "外呼只能在规定时段拨打。"),
        ("old", "regulation", "2025-12-31", "all", "营销短信旧规定：须注明银行简称。"),
    ]
    for doc_id, doc_type, end, channels, body in docs:
        text = DOC.format(id=doc_id, type=doc_type, end=end, channels=channels, body=body)
        (folder / f"{doc_id}.md").write_text(text, "utf-8")
    return folder


def _kb(server: ChromaServer, tmp_path: Path, corpus: Path, dim: int) -> KnowledgeBase:
    settings = KbSettings(embedder="hashing", chroma_host=server.host, chroma_port=server.port)
    # A dimension per test gives each test its own collection on the shared server.
    return KnowledgeBase(
        tmp_path / "kb", corpus, HashingEmbedder(dim=dim), include_product_sheets=False, settings=settings
    )


def test_ingest_and_search_through_the_server(
    chroma_server: ChromaServer, tmp_path: Path, corpus: Path
) -> None:
    kb = _kb(chroma_server, tmp_path, corpus, dim=128)
    assert kb.location == f"chroma server 127.0.0.1:{chroma_server.port}"
    report = kb.ingest()
    assert (report.added, report.chunks) == (3, 3)
    hits = kb.search("营销短信 退订", 3, as_of=date(2026, 1, 1))
    assert hits[0].doc_id == "sms" and hits[0].citation == "《文件sms》·要点"
    assert "old" not in {p.doc_id for p in hits}  # expired on 2025-12-31
    assert "old" in {p.doc_id for p in kb.search("营销短信", 3, as_of=date(2025, 12, 31))}
    assert [p.doc_id for p in kb.search("规定", 3, channel="call_script", as_of=date(2026, 1, 1))] == ["call"]
    assert not (tmp_path / "kb" / "chroma").exists()  # nothing embedded locally in server mode


def test_incremental_ingest_and_reopen_with_a_fresh_client(
    chroma_server: ChromaServer, tmp_path: Path, corpus: Path
) -> None:
    kb = _kb(chroma_server, tmp_path, corpus, dim=96)
    kb.ingest()
    (corpus / "call.md").unlink()
    report = kb.ingest()
    assert (report.removed, report.unchanged, report.embedded_chunks) == (1, 2, 0)
    fresh = chromadb.HttpClient(host=chroma_server.host, port=chroma_server.port)
    collection = fresh.get_collection(
        kb.store.name
    )  # the embedding function is rebuilt from its stored config
    top = collection.query(query_texts=["营销短信 退订"], n_results=1)["ids"][0][0]
    assert top.startswith("sms:") and collection.count() == 2
