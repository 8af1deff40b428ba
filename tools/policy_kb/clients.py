"""Chroma clients: an embedded ``PersistentClient`` under the kb folder, or an ``HttpClient`` to a server.

Clients are cached per target because the API and the content agent build a ``KnowledgeBase`` per request. An
embedded store whose folder was deleted (``mbrain init --reset``, a test's tmp dir) is not reused: Chroma would
keep writing through a stale handle and fail with "attempt to write a readonly database".
"""

from __future__ import annotations

import threading
from pathlib import Path

import chromadb
from chromadb.api import ClientAPI
from chromadb.config import Settings as ChromaSettings

CHROMA_SUBDIR = "chroma"
_STORE_FILE = "chroma.sqlite3"

_clients: dict[str, tuple[ClientAPI, Path | None]] = {}
_lock = threading.Lock()


def chroma_settings() -> ChromaSettings:
    """Telemetry off: nothing leaves the machine (it is a no-op stub in 1.5.9, but say so explicitly)."""
    return ChromaSettings(anonymized_telemetry=False)


def store_description(kb_dir: Path, host: str | None, port: int) -> str:
    """Where the vectors live, for logs and reports."""
    return (
        f"chroma server {host}:{port}" if host else f"chroma embedded in {(kb_dir / CHROMA_SUBDIR).resolve()}"
    )


def open_client(kb_dir: Path, host: str | None = None, port: int = 8000) -> ClientAPI:
    """The cached client for this target; ``host`` set = server mode, otherwise embedded under ``kb_dir``."""
    key = f"http://{host}:{port}" if host else str((kb_dir / CHROMA_SUBDIR).resolve())
    with _lock:
        cached = _clients.get(key)
        if cached is not None:
            client, store = cached
            if store is None or (store / _STORE_FILE).exists():
                return client
            del _clients[key]
            _close(client)  # its folder is gone; a fresh client recreates the store
        if host:
            client = chromadb.HttpClient(host=host, port=port, settings=chroma_settings())
            _clients[key] = (client, None)
        else:
            store = Path(key)
            store.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=str(store), settings=chroma_settings())
            _clients[key] = (client, store)
        return client


def close_clients() -> None:
    """Close every cached client (tests that stop a server, or delete a store, call this)."""
    with _lock:
        for client, _ in _clients.values():
            _close(client)
        _clients.clear()


def _close(client: ClientAPI) -> None:
    """Release the client's share of Chroma's per-path system (``close`` exists on 1.5's clients, not the ABC)."""
    close = getattr(client, "close", None)
    if callable(close):
        close()
