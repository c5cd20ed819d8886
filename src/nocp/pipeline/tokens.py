"""Token counting with tiktoken, offline-capable.

tiktoken downloads its BPE files on first use; nocp ships `o200k_base` and `cl100k_base` as
package data under tiktoken's cache names (`bpe/`, with their licence), so unless the user set
`TIKTOKEN_CACHE_DIR` we point it there.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tiktoken

_RUN_LIMIT = 1000
_SLICE = 256
_LONG_RUN = re.compile(rf"[^\W\d_]{{{_RUN_LIMIT + 1},}}|[^\w\s]{{{_RUN_LIMIT + 1},}}|\s{{{_RUN_LIMIT + 1},}}")
"""Runs tiktoken would treat as one piece: letters, punctuation or whitespace. BPE is quadratic
in a piece's length (50 MB of "x" takes minutes), so such long runs are counted in slices."""


BUNDLED_BPE = Path(__file__).parent / "bpe"
"""The BPE files nocp ships (`o200k_base`, `cl100k_base`), named as tiktoken's cache names them."""


def use_bundled_bpe_files() -> None:
    """Point tiktoken at nocp's bundled BPE files unless `TIKTOKEN_CACHE_DIR` is set."""
    if not os.environ.get("TIKTOKEN_CACHE_DIR"):
        os.environ["TIKTOKEN_CACHE_DIR"] = str(BUNDLED_BPE)


@cache
def _encoding(name: str) -> tiktoken.Encoding:
    use_bundled_bpe_files()
    import tiktoken

    return tiktoken.get_encoding(name)


class TokenCounter:
    """Counts tokens of text with one tiktoken encoding (default `o200k_base`).

    Example:
        >>> TokenCounter().count("hello world")
        2
    """

    def __init__(self, encoding: str = "o200k_base") -> None:
        self.encoding = encoding

    def count(self, text: str) -> int:
        """The number of tokens in `text` (special-token strings count as plain text).

        Exact, except inside runs of more than 1,000 letters (or punctuation, or whitespace),
        which are counted 256 characters at a time: at most one token off per slice.
        """
        if not text:
            return 0
        encode = _encoding(self.encoding).encode_ordinary
        if len(text) <= _RUN_LIMIT or not _LONG_RUN.search(text):
            return len(encode(text))
        total, position = 0, 0
        for run in _LONG_RUN.finditer(text):
            total += len(encode(text[position : run.start()])) if run.start() > position else 0
            total += _count_slices(run.group(), encode)
            position = run.end()
        return total + (len(encode(text[position:])) if position < len(text) else 0)

    def count_all(self, texts: list[str]) -> int:
        """The total tokens of several texts (e.g. one MCP content block each).

        Exact up to 8 MB in all; beyond that, estimated from evenly spaced samples of 4 MB
        scaled by length (counting 50 MB exactly takes seconds and changes no decision).
        """
        total = sum(len(text) for text in texts)
        if total <= EXACT_CHARS:
            return sum(self.count(text) for text in texts)
        sample = list(_samples(texts, total))
        counted = sum(self.count(part) for part in sample)
        return round(counted * total / max(sum(len(part) for part in sample), 1))


EXACT_CHARS = 8_000_000
_SAMPLE_CHARS = 4_000_000
_PIECE = 64_000


def _samples(texts: list[str], total: int) -> Iterator[str]:
    """About 4 MB spread evenly over the texts: every k-th text when there are many, else
    evenly spaced pieces of each text, cut at line ends where possible."""
    if len(texts) >= 100:
        step = max(round(total / _SAMPLE_CHARS), 1)
        yield from texts[step // 2 :: step]
        return
    for text in texts:
        share = max(int(_SAMPLE_CHARS * len(text) / total), _PIECE)
        stride = max(len(text) // max(share // _PIECE, 1), _PIECE)
        for start in range(0, len(text), stride):
            piece = text[start : start + _PIECE]
            cut = piece.rfind("\n")
            yield piece[: cut + 1] if cut > _PIECE // 2 else piece


def _count_slices(piece: str, encode: Callable[[str], list[int]]) -> int:
    counted: dict[str, int] = {}  # long runs are often one character repeated
    total = 0
    for i in range(0, len(piece), _SLICE):
        part = piece[i : i + _SLICE]
        if part not in counted:
            counted[part] = len(encode(part))
        total += counted[part]
    return total
