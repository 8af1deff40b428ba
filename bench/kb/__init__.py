"""Helpers of the knowledge-base retrieval bench (``python -m bench.kb_retrieval``)."""
