"""Fill the token budget: the largest cut that fits, found by measuring, not by guessing.

A cut is rendered for a size in characters; characters per token vary three-fold between
texts (hashes and ids: ~2.4, prose: ~4.5), so a size from an average either overshoots or
leaves a third of the budget unused. `fill` re-aims the size by the tokens it measured,
bisecting between the largest size that fitted and the smallest that did not.
"""

from __future__ import annotations

from collections.abc import Callable

from nocp.pipeline.budget import Budget
from nocp.pipeline.model import Payload

_TRIES = 8
_GOOD_ENOUGH = 0.97
"""A cut using this share of the budget is not worth another render."""
_SHRINK, _GROW = 0.8, 1.05
"""The least a size changes from one try to the next."""
_LAST_RESORT = (0.1, 0.03, 0.0)
"""Shares of the estimate tried when nothing fitted in `_TRIES`."""


def fill(render: Callable[[int], Payload], budget: Budget, estimate: int) -> Payload:
    """`render(size)` for the largest size found whose result is within budget.

    `render` must grow with `size` (more kept for more characters); `render(0)` is the
    smallest cut it can make, returned when nothing else fits.

    Example:
        >>> fill(lambda size: cut_to(text, size), budget, budget.chars(payload))
    """
    fitted: tuple[int, Payload] | None = None
    over: int | None = None
    size = max(estimate, 1)
    for _ in range(_TRIES):
        result = render(size)
        tokens = budget.tokens(result)
        if tokens <= budget.limit:
            if fitted is not None and result.value == fitted[1].value:
                break  # more room keeps nothing more
            fitted = (size, result) if fitted is None or size > fitted[0] else fitted
            if tokens >= budget.limit * _GOOD_ENOUGH:
                break
        else:
            over = size if over is None else min(over, size)
        following = _next_size(size, tokens, budget.limit, fitted[0] if fitted else 0, over)
        if following is None:
            break
        size = following
    if fitted:
        return fitted[1]
    for share in _LAST_RESORT:
        result = render(int(estimate * share))
        if tokens_within(result, budget):
            break
    return result


def tokens_within(payload: Payload, budget: Budget) -> bool:
    """True when the payload is within the budget."""
    return budget.tokens(payload) <= budget.limit


def _next_size(size: int, tokens: int, limit: int, low: int, high: int | None) -> int | None:
    """The next size to try: scaled by limit / tokens (by at least a step, as blocks are
    coarse), kept strictly between the largest size that fitted and the smallest that did not."""
    ratio = limit / max(tokens, 1) * 0.99
    aimed = int(size * (min(ratio, _SHRINK) if tokens > limit else max(ratio, _GROW)))
    if high is not None and aimed >= high:
        aimed = (low + high) // 2
    if aimed <= low or aimed == size:
        return None
    return aimed
