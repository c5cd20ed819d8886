"""Is a payload within its token budget? Exact counts, skipped when the answer is obvious."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

from nocp.pipeline.encode import choose, to_compact_json
from nocp.pipeline.model import CallContext, JSONValue, LastEncoding, Payload
from nocp.pipeline.tokens import TokenCounter

_MAX_CHARS_PER_TOKEN = 12
"""No real text averages more characters per token (JSON and prose: 3–5), so text this many
times longer than the budget is over it without counting."""


LossyStep: TypeAlias = Callable[[Payload, "CallContext", "Budget"], Payload]
"""The contract of one lossy step (`prune.json.JSON_STEPS`, `prune.text.TEXT_STEPS`): payload
in, a smaller payload — or the same one, when it has nothing to cut — out."""


class Budget:
    """The token budget of one response, and the counts to check it."""

    def __init__(self, limit: int, counter: TokenCounter, last: LastEncoding | None = None) -> None:
        self.limit = limit
        self.counter = counter
        self.last = last

    @classmethod
    def of(cls, ctx: CallContext) -> Budget:
        """The budget of the call's response, reusing the call's last encoding."""
        return cls(ctx.budget, ctx.counter, ctx.last_encoding)

    def tokens(self, payload: Payload) -> int:
        """Tokens of what would be sent for `payload` (cheapest encoding plus its markers)."""
        body = _text(payload.value) if payload.kind == "text" else None
        tokens = (
            self.counter.count(body)
            if body is not None
            else choose(payload.value, self.counter, self.last).tokens
        )
        return tokens + self.marker_tokens(payload)

    def marker_tokens(self, payload: Payload) -> int:
        """Tokens of the payload's marker lines, each with its line break."""
        return sum(self.counter.count(m) + 1 for m in payload.markers)

    def over(self, payload: Payload) -> bool:
        """True while what would be sent exceeds the budget."""
        return self.clearly_over(payload) or self.tokens(payload) > self.limit

    def clearly_over(self, payload: Payload) -> bool:
        """True when the payload is so long that no count is needed to know it is over."""
        size = len(payload.text) if payload.kind == "text" else len(to_compact_json(payload.value))
        return size > self.limit * _MAX_CHARS_PER_TOKEN

    def chars(self, payload: Payload) -> int:
        """A rough character allowance matching the budget for this payload's kind of text."""
        per_token = 3.2 if payload.kind == "json" else 3.8
        return int(self.limit * per_token)


def _text(value: JSONValue) -> str:
    return str(value)
