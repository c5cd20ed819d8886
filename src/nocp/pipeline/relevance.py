"""Relevance of rows, lines and sections to a query (the agent's `focus`), by BM25 (bm25s)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache

_TOKENS = r"(?u)\d+(?:\.\d+)+|\b\w+\b"
"""Single characters count ("TrackId 1" must find the row whose id is 1); decimals stay whole
("3.96" is not a match for invoice 96)."""
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[_/:\-#@]+|(?<!\d)\.|\.(?!\d)")


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

    stem = _stemmer()
    corpus = bm25s.tokenize(
        [prepare(d) for d in documents],
        token_pattern=_TOKENS,
        stopwords="en",
        stemmer=stem,
        show_progress=False,
    )
    if not corpus.vocab:
        return [0.0] * len(documents)
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    terms = bm25s.tokenize(
        [prepare(query)],
        token_pattern=_TOKENS,
        stopwords="en",
        stemmer=stem,
        show_progress=False,
        return_ids=False,
    )
    known = [t for t in terms[0] if t in corpus.vocab]
    if not known:
        return [0.0] * len(documents)
    return [float(s) for s in retriever.get_scores(known)]


@cache
def _stemmer() -> Callable[[list[str]], list[str]]:
    """English Snowball stemming (PyStemmer): "timeouts" finds "timeout"."""
    import Stemmer

    return Stemmer.Stemmer("english").stemWords  # type: ignore[no-any-return]


def top(documents: Sequence[str], query: str, limit: int) -> list[int]:
    """Indexes of the `limit` most relevant documents with a positive score, best first."""
    ranked = scores(documents, query)
    order = sorted(range(len(ranked)), key=lambda i: (-ranked[i], i))
    return [i for i in order[:limit] if ranked[i] > 0]


_STOP = frozenset(
    "a an and are as at be by can do does for from has have how i in is it its of on or the "
    "to was what when where which who whom why with you your".split()
)


def terms(query: str) -> list[str]:
    """The words of a query worth looking for (lowercase, no stop words)."""
    words = re.findall(r"\w+", prepare(query).lower())
    return list(dict.fromkeys(w for w in words if w not in _STOP and (len(w) > 2 or w.isdigit())))


def best_window(text: str, words: list[str], width: int) -> int:
    """Where a window of `width` characters of `text` holds the most distinct query words."""
    lowered = text.lower()
    hits = sorted((m.start(), w) for w in words for m in re.finditer(re.escape(w), lowered))
    best, best_start = 0, 0
    for position, _ in hits:
        start = max(position - width // 4, 0)
        inside = {w for p, w in hits if start <= p < start + width}
        if len(inside) > best:
            best, best_start = len(inside), start
    return best_start
