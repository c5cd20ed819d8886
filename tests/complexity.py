"""Work counted, not timed: how many Python lines a call executes (a machine's load does not
change it), to tell linear from quadratic by how the count grows with the input."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any


def lines_run(call: Callable[[], object]) -> int:
    """The number of Python line events while `call()` runs (in every function it calls)."""
    count = 0

    def trace(frame: FrameType, event: str, arg: Any) -> Callable[..., Any]:
        nonlocal count
        if event == "line":
            count += 1
        return trace

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        call()
    finally:
        sys.settrace(previous)
    return count


def growth(make: Callable[[int], Callable[[], object]], small: int, factor: int = 4) -> float:
    """How much the work grows when the input grows `factor` times: about `factor` for a
    linear call, `factor`² for a quadratic one."""
    return lines_run(make(small * factor)) / lines_run(make(small))
