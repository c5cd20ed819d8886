"""Relevance of rows, lines and sections to a query (the agent's `focus`), by BM25."""

from __future__ import annotations

import math
import re
from collections import Counter
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

    Lucene's BM25 (k1 1.5, b 0.75) on stemmed words of the `prepare`d texts, without English
    stop words. The documents are read as one text, in one pass; only the query's stems are
    scored.

    Example:
        >>> scores(["red apple", "green pear"], "apple")[0] > 0
        True
    """
    stems = _stemmer()([w for w in _prepared_words(query) if w not in _STOPWORDS])
    if not documents or not stems:
        return [0.0] * len(documents)
    counted = _Words(documents, set(stems))
    present = Counter(stem for f in counted.frequencies.values() for stem in f)
    n = len(documents)
    mean_length = sum(counted.lengths) / n
    result = [0.0] * n
    if not present or not mean_length:
        return result
    idf = {s: math.log(1 + (n - df + 0.5) / (df + 0.5)) for s, df in present.items()}
    weights = [(s, idf[s] * stems.count(s)) for s in dict.fromkeys(stems) if s in idf]
    for i, f in counted.frequencies.items():
        norm = _K1 * (1 - _B + _B * counted.lengths[i] / mean_length)
        result[i] = _score(f, weights, norm)
    return result


_K1, _B = 1.5, 0.75
_WORDS = re.compile(_TOKENS)
_SPLITS = re.compile(rf"{_SEPARATORS.pattern}|{_CAMEL.pattern}")
_STOPWORDS = frozenset(
    "a an and are as at be but by can do does for from has have how i if in into is it its no "
    "not of on or such that the their then there these they this to was what when where which "
    "who whom why will with you your".split()
)
"""The stop words of BM25 and of `terms`: Lucene's English list and the words a question is
made of ("what", "how", "does"…), which say nothing about where its answer is."""


class _Words:
    """The words of documents as BM25 reads their `prepare`d text, from one pass over them:
    each document's length (stop words left out) and how often each wanted stem occurs.

    A document that `prepare` splits holds its words twice: as written, then split.
    """

    def __init__(self, documents: Sequence[str], wanted: set[str]) -> None:
        self.mark = _absent_word(documents)
        self.tokens = _WORDS.findall(f" {self.mark} ".join(documents))
        self.splits = [bool(_SPLITS.search(d)) for d in documents]
        forms = {t: _forms(t) for t in set(self.tokens) - {self.mark}}
        vocabulary = list({w for plain, split in forms.values() for w in (plain, *split)} - _STOPWORDS)
        matching = {w: s for w, s in zip(vocabulary, _stemmer()(vocabulary), strict=True) if s in wanted}
        self.forms = forms
        self.lengths = [0] * len(documents)
        self.frequencies: dict[int, dict[str, int]] = {}
        self._tally(matching)

    def _tally(self, matching: dict[str, str]) -> None:
        weights = {t: _weigh(plain, split, matching) for t, (plain, split) in self.forms.items()}
        document, length = 0, 0
        found: dict[str, int] = {}
        for token in self.tokens:
            if token == self.mark:
                self._close(document, length, found)
                document, length, found = document + 1, 0, {}
                continue
            plain, split = weights[token]
            for count, stems in (plain, split) if self.splits[document] else (plain,):
                length += count
                for stem in stems:
                    found[stem] = found.get(stem, 0) + 1
        self._close(document, length, found)

    def _close(self, document: int, length: int, found: dict[str, int]) -> None:
        self.lengths[document] = length
        if found:
            self.frequencies[document] = found


def _prepared_words(text: str) -> list[str]:
    """The lowercase words of `prepare(text)`, as `_Words` reads them."""
    forms = [_forms(t) for t in _WORDS.findall(text)]
    words = [plain for plain, _ in forms]
    return words + [w for _, split in forms for w in split] if _SPLITS.search(text) else words


def _absent_word(documents: Sequence[str]) -> str:
    """A word none of the documents holds, to join them by."""
    mark = "nocpbreak"
    while any(mark in d for d in documents):
        mark += "x"
    return mark


def _forms(token: str) -> tuple[str, tuple[str, ...]]:
    """A token lowercase, and the lowercase words `prepare`'s split makes of it."""
    split = _SEPARATORS.sub(" ", _CAMEL.sub(" ", token)).lower()
    return token.lower(), tuple(_WORDS.findall(split))


def _weigh(
    plain: str, split: tuple[str, ...], matching: dict[str, str]
) -> tuple[tuple[int, tuple[str, ...]], tuple[int, tuple[str, ...]]]:
    """A token's (length, matching stems) as written and as split."""

    def one(words: tuple[str, ...]) -> tuple[int, tuple[str, ...]]:
        kept = [w for w in words if w not in _STOPWORDS]
        return len(kept), tuple(matching[w] for w in kept if w in matching)

    return one((plain,)), one(split)


def _score(frequencies: dict[str, int], weights: list[tuple[str, float]], norm: float) -> float:
    """BM25 of one document: the query's stems in query order (same sum, same bits)."""
    total = 0.0
    for stem, weight in weights:
        tf = frequencies.get(stem, 0)
        if tf:
            total += weight * tf / (tf + norm)
    return total


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


def terms(query: str) -> list[str]:
    """The words of a query worth looking for (lowercase, no stop words)."""
    words = re.findall(r"\w+", prepare(query).lower())
    return list(dict.fromkeys(w for w in words if w not in _STOPWORDS and (len(w) > 2 or w.isdigit())))


def best_window(text: str, words: list[str], width: int) -> int:
    """Where a window of `width` characters of `text` holds the most distinct query words.

    Windows start a quarter width before a hit; both window ends only move forward, so one
    pass over the sorted hits finds the best (the first, on a tie).

    Example:
        >>> best_window("x" * 50 + "red and blue" + "x" * 50, ["red", "blue"], 20)
        45
    """
    lowered = text.lower()
    hits = sorted((m.start(), w) for w in words for m in re.finditer(re.escape(w), lowered))
    inside: Counter[str] = Counter()
    best, best_start, first, last = 0, 0, 0, 0
    for position, _ in hits:
        start = max(position - width // 4, 0)
        while last < len(hits) and hits[last][0] < start + width:
            inside[hits[last][1]] += 1
            last += 1
        while hits[first][0] < start:
            inside[hits[first][1]] -= 1
            if not inside[hits[first][1]]:
                del inside[hits[first][1]]
            first += 1
        if len(inside) > best:
            best, best_start = len(inside), start
    return best_start
