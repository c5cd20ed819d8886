"""Drift: per tool, the last `window` calls against the `window` before them — a drop of the
reduction ratio by more than `reduction_drop_points`, a rise of the p50 pipeline ms by more
than `latency_rise_pct`, or an error rate above `error_rate` raises an alert (an upstream that
changed its output shape silently costs the user tokens). One pass over the calls in order;
an alert of a kind fires once and re-arms when its condition clears."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from statistics import median
from typing import Any

from nocp.config.models import DriftSettings
from nocp.insights.summary import key_of
from nocp.store.history import EXPAND_TOOL, Call


@dataclass(frozen=True, slots=True)
class Alert:
    """One drift alert: which tool, what changed (`reduction`, `latency`, `errors`), from
    what to what, when, and after how many calls of that tool."""

    tool: str
    kind: str
    before: float
    after: float
    ts: str
    call: int

    def as_dict(self) -> dict[str, Any]:
        """The alert as JSON."""
        return asdict(self)


class DriftWatch:
    """Watches calls one at a time (`observe`) and says which alerts they raise."""

    def __init__(self, settings: DriftSettings) -> None:
        self.settings = settings
        self._recent: dict[str, deque[Call]] = defaultdict(lambda: deque(maxlen=2 * settings.window))
        self._seen: dict[str, int] = defaultdict(int)
        self._raised: set[tuple[str, str]] = set()

    def observe(self, call: Call) -> list[Alert]:
        """Add one call; the alerts it raises (none while a tool has fewer than 2 windows)."""
        if call.tool == EXPAND_TOOL:
            return []
        tool = key_of(call, "tool")
        recent = self._recent[tool]
        recent.append(call)
        self._seen[tool] += 1
        window = self.settings.window
        if len(recent) < 2 * window:
            return []
        before, after = list(recent)[:window], list(recent)[window:]
        alerts = []
        for kind, old, new, fired in self._checks(before, after):
            if not fired:
                self._raised.discard((tool, kind))
            elif (tool, kind) not in self._raised:
                self._raised.add((tool, kind))
                alerts.append(Alert(tool, kind, old, new, call.ts, self._seen[tool]))
        return alerts

    def _checks(self, before: list[Call], after: list[Call]) -> list[tuple[str, float, float, bool]]:
        s = self.settings
        r0, r1 = _reduction(before), _reduction(after)
        m0, m1 = _p50(before), _p50(after)
        e1 = sum(c.is_error for c in after) / len(after)
        e0 = sum(c.is_error for c in before) / len(before)
        return [
            ("reduction", r0, r1, r0 - r1 > s.reduction_drop_points),
            ("latency", m0, m1, m0 > 0 and (m1 - m0) / m0 * 100 > s.latency_rise_pct),
            ("errors", round(e0, 3), round(e1, 3), e1 > s.error_rate),
        ]


def detect(calls: Iterable[Call], settings: DriftSettings) -> list[Alert]:
    """Every alert a watch over `calls` (oldest first) raises."""
    watch = DriftWatch(settings)
    return [alert for call in calls for alert in watch.observe(call)]


def _reduction(calls: list[Call]) -> float:
    """Percent of the raw tokens saved, over the calls that succeeded."""
    raw = sum(c.raw_tokens for c in calls if not c.is_error)
    sent = sum(c.sent_tokens for c in calls if not c.is_error)
    return round(100 * (raw - sent) / raw, 1) if raw else 0.0


def _p50(calls: list[Call]) -> float:
    values = [c.pipeline_ms for c in calls if not c.is_error]
    return round(median(values), 3) if values else 0.0
