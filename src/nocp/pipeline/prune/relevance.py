"""Relevance of rows, lines and sections to a query (the agent's `focus`), by BM25 (bm25s)."""

from __future__ import annotations

import re
from collections.abc import Sequence

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[_./:\-#@]+")


def prepare(text: str) -> str:
    """Text as BM25 should see it: camelCase and snake_case split, separators as spaces.

    "wgRevisionId" also matches "revision"; "invoice_total" matches "invoice total".
    The original words stay too, so exact identifiers still match best.
    """
    split = _SEPARATORS.sub(" ", _CAMEL.sub(" ", text))
    return f"{text} {split}" if split != text else text


def scores(documents: Sequence[str], query: str) -> list[float]:
    """BM25 score of each document for `query` (0 for no shared term), in document order.

    Example:
        >>> scores(["red apple", "green pear"], "apple")[0] > 0
        True
    """
    if not documents or not query.strip():
        return [0.0] * len(documents)
    import bm25s  # lazy: numpy comes with it

    corpus = bm25s.tokenize([prepare(d) for d in documents], stopwords="en", show_progress=False)
    if not corpus.vocab:
        return [0.0] * len(documents)
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    terms = bm25s.tokenize([prepare(query)], stopwords="en", show_progress=False, return_ids=False)
    known = [t for t in terms[0] if t in corpus.vocab]
    if not known:
        return [0.0] * len(documents)
    return [float(s) for s in retriever.get_scores(known)]


def top(documents: Sequence[str], query: str, limit: int) -> list[int]:
    """Indexes of the `limit` most relevant documents with a positive score, best first."""
    ranked = scores(documents, query)
    order = sorted(range(len(ranked)), key=lambda i: (-ranked[i], i))
    return [i for i in order[:limit] if ranked[i] > 0]
