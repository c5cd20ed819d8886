"""A circuit breaker per upstream: after `failures` calls in a row fail (the upstream died,
closed the connection, refused the call, sent no valid result, or ran past its timeout), its
calls fail at once for `cooldown_s`; then one trial call goes through — if it succeeds the
breaker closes, if it fails the breaker opens again. A tool's own `isError` result is an
answer, not a failure.

    closed      calls go through; consecutive failures are counted
    open        calls fail fast, saying why and for how long
    half-open   the cool-down is over: one trial call is in flight, others fail fast
"""

from __future__ import annotations

import math
import time
from typing import Any, Literal

BreakerState = Literal["closed", "open", "half-open"]


class Breaker:
    """The breaker of one upstream.

    Example:
        >>> breaker = Breaker(failures=2, cooldown_s=30)
        >>> breaker.failed("timed out"); breaker.failed("timed out")
        >>> breaker.refusal("git")[:40]
        "upstream 'git' failed 2 calls in a row ("
    """

    def __init__(self, failures: int, cooldown_s: float) -> None:
        self.threshold, self.cooldown_s = failures, cooldown_s
        self.state: BreakerState = "closed"
        self.failures = 0
        self.last_failure: str | None = None
        self._opened_at = 0.0
        self._trial = False

    def refusal(self, upstream: str) -> str | None:
        """Why a call must fail now (None: let it through; it may be the trial call)."""
        if self.state == "closed":
            return None
        left = self._opened_at + self.cooldown_s - time.monotonic()
        if self.state == "open" and left <= 0:
            self.state, self._trial = "half-open", False
        if self.state == "half-open" and not self._trial:
            self._trial = True
            return None
        wait = f"the next trial call in {math.ceil(left)} s" if left > 0 else "a trial call is in flight"
        return (
            f"upstream {upstream!r} failed {self.failures} calls in a row (last: {self.last_failure}); "
            f"its calls fail at once for now — {wait}; see nocp://upstreams"
        )

    def succeeded(self) -> None:
        """A call got an answer: close the breaker."""
        self.state, self.failures, self._trial = "closed", 0, False

    def failed(self, why: str) -> None:
        """A call failed: count it; open the breaker at the threshold (or when a trial failed)."""
        self.failures += 1
        self.last_failure = why[:300]
        if self.state == "half-open" or self.failures >= self.threshold:
            self.state, self._opened_at, self._trial = "open", time.monotonic(), False

    def abandoned(self) -> None:
        """A call ended with neither outcome (the client cancelled it): a trial may go again."""
        self._trial = False

    def status(self) -> dict[str, Any]:
        """The breaker's part of the upstream's row in `nocp://upstreams`."""
        row: dict[str, Any] = {"state": self.state, "consecutive_failures": self.failures}
        if self.state == "open":
            row["retry_in_s"] = max(0, math.ceil(self._opened_at + self.cooldown_s - time.monotonic()))
        return row
