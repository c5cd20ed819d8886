"""What `lines[START:END]` counts: the same lines in every marker, in `nocp_expand` and in the
stored original (`nocp://outputs/{handle}`).

Lines are those of the stored original, counted from 0, split at "\\n", "\\r\\n" or "\\r" —
the numbers a file's own lines have, whatever clean-up removed before pruning. The one
exception is an HTML page: the agent only ever sees it converted to text, so there the lines
are those of the converted text, which `nocp_expand` converts again (`prune.text.line_map`,
`prune.text.addressable_lines`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LineMap:
    """Where each line of the text being pruned is in the stored original.

    `origins[i]` is the original line of line `i` (None: the same number); `offset` is added
    to every number (the text is a selection starting there); `total` is the original's count.
    """

    origins: Sequence[int] | None = None
    offset: int = 0
    total: int | None = None

    def line(self, index: int) -> int:
        """The original line number of line `index` of the pruned text."""
        return self.offset + (self.origins[index] if self.origins is not None else index)

    def path(self, start: int, end: int) -> str:
        """`lines[a:b]` for the lines [start, end) of the pruned text (end > start)."""
        return f"lines[{self.line(start)}:{self.line(end - 1) + 1}]"


def split_lines(text: str) -> list[str]:
    """The lines of a text as `lines[a:b]` counts them (any line end)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def line_origins(original: str) -> list[int]:
    """For each line of `clean_text(original)`, the number of the original line it came from.

    Example:
        >>> line_origins("\\n\\na\\n\\n\\n\\nb  \\n")
        [2, 3, 6]
    """
    lines = [line.rstrip(" \t") for line in split_lines(original)]
    origins: list[int] = []
    after_blank = True  # leading blank lines go
    for index, line in enumerate(lines):
        if line or not after_blank:
            origins.append(index)
        after_blank = not line
    while origins and not lines[origins[-1]]:  # so do trailing ones
        origins.pop()
    return origins or [0]


SAME_LINES = LineMap()
"""Line i is line i of the original."""
