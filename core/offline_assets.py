"""Prepare and verify the assets that must work without network: `python -m core.offline_assets`.

Run by `make install` so a broken offline asset fails set-up, not the first user request.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from core.tokens import seed_tiktoken_cache


def verify() -> str:
    """Seed a scratch tiktoken cache from the bundled BPE files and encode a sentence with it."""
    import os

    import tiktoken

    with tempfile.TemporaryDirectory() as scratch:
        cache = seed_tiktoken_cache(Path(scratch))
        previous = os.environ.get("TIKTOKEN_CACHE_DIR")
        os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
        try:
            tokens = tiktoken.get_encoding("o200k_base").encode("示例银行 Marketing Brain")
        finally:
            if previous is None:
                os.environ.pop("TIKTOKEN_CACHE_DIR", None)
            else:
                os.environ["TIKTOKEN_CACHE_DIR"] = previous
    return f"offline assets ok: o200k_base loaded ({len(tokens)} tokens in the probe sentence)"


if __name__ == "__main__":
    print(verify())  # noqa: T201
