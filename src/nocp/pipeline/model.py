"""The types every pipeline stage shares: the payload, the call context, the stage contract."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeAlias, TypeGuard, cast

from nocp.config import DistillMode, Settings
from nocp.pipeline.tokens import TokenCounter

JSONValue: TypeAlias = dict[str, "JSONValue"] | list["JSONValue"] | str | int | float | bool | None
"""A value of the JSON data model."""

JSONObject: TypeAlias = dict[str, JSONValue]
"""A JSON object (a record, a tree node)."""


def all_objects(items: list[JSONValue]) -> TypeGuard[list[JSONObject]]:
    """Whether every item is a JSON object (true for no items)."""
    return all(isinstance(item, dict) for item in items)


PayloadKind: TypeAlias = Literal["json", "text"]
Format: TypeAlias = Literal["toon", "json", "text"]


@dataclass(frozen=True, slots=True)
class Payload:
    """What flows between stages: a JSON value, or text that is not JSON.

    `markers` are the lines that tell the agent what was omitted and how to get it back;
    encode appends them to the text sent. `omitted` is true once anything was cut.
    """

    kind: PayloadKind
    value: JSONValue
    markers: tuple[str, ...] = ()
    omitted: bool = False

    def evolve(self, value: JSONValue, *markers: str, omitted: bool = True) -> Payload:
        """A copy with a new value and extra markers (something was cut unless told not)."""
        return Payload(self.kind, value, self.markers + markers, self.omitted or omitted)

    @classmethod
    def parse(cls, kind: PayloadKind, text: str) -> Payload:
        """A payload from its serialised form (`encode.serialise`): the text, or compact JSON."""
        return cls("text", text) if kind == "text" else cls("json", cast(JSONValue, json.loads(text)))

    @property
    def text(self) -> str:
        """The payload as text (only for `kind == "text"`)."""
        if self.kind != "text":
            raise TypeError("a JSON payload has no text; encode it first")
        return str(self.value)


@dataclass(frozen=True, slots=True)
class Distillation:
    """What the distill stage decided for one payload, with the gate's numbers.

    `decision` is "distilled", "declined" (the gate said no), "failed", "rejected" (the
    summary was not faithful) or "unavailable" (no such backend for this call).
    """

    backend: str
    decision: str
    tokens_in: int
    tokens_out: int = 0
    saved_tokens: int = 0
    value_usd: float = 0.0
    """Expected saving: tokens saved × client input price × rereads."""
    cost_usd: float = 0.0
    """What distillation cost (estimated before, actual after a model call)."""
    cached: bool = False
    ms: float = 0.0
    reason: str = ""

    def note(self) -> str:
        """One line for the stage report."""
        parts = [
            f"{self.backend}: {self.decision}",
            f"{self.tokens_in}→{self.tokens_out or self.tokens_in} tokens",
        ]
        parts.append(f"value ${self.value_usd:.6f} vs cost ${self.cost_usd:.6f}")
        parts += ["cached"] if self.cached else []
        parts += [self.reason] if self.reason else []
        return "; ".join(parts)


class Summariser(Protocol):
    """What the distill stage asks for a summary (`distill.Distiller` is one)."""

    def __call__(
        self, payload: Payload, ctx: CallContext, limit: int, mode: DistillMode
    ) -> tuple[Distillation, Payload | None]:
        """What was decided, and the summary within `limit` tokens (None: none sent)."""
        ...


@dataclass(frozen=True, slots=True)
class Encoded:
    """The chosen serialisation and its token count."""

    text: str
    format: Format
    tokens: int
    candidates: dict[str, int]
    """Tokens of every candidate that could be built, by format (for reports)."""


@dataclass(slots=True)
class LastEncoding:
    """One call's last encoded JSON value and its encoding (`encode.choose` result): the
    budget check before the final encode usually asks about the very value then sent.
    Pipeline values are never changed in place, so the same object means the same value."""

    value: JSONValue = None
    encoded: Encoded | None = None


@dataclass(frozen=True, slots=True)
class CallContext:
    """What a stage may know about the call besides the payload."""

    tool: str
    settings: Settings
    counter: TokenCounter
    focus: str | None = None
    arguments: Mapping[str, Any] = field(default_factory=dict)
    handle: str = ""
    """The handle the original is stored under if anything is omitted (set by the runner)."""
    original: Payload | None = None
    """What the stages started from (set by the runner): markers number its lines."""
    first_line: int = 0
    """Where `original` starts in the stored original, when it is a selection of it."""
    distiller: Summariser | None = None
    """Summarises text still over budget after the lossless steps (None: no distill stage)."""
    last_encoding: LastEncoding = field(default_factory=lambda: LastEncoding())
    """The last JSON value of this call that was encoded, so it is not encoded twice."""

    @property
    def budget(self) -> int:
        """The token budget of this response."""
        return self.settings.budget_for(self.tool, focused=bool(self.focus))

    @property
    def query(self) -> str:
        """What relevance is judged against: the focus, else the tool's string arguments."""
        if self.focus:
            return self.focus
        return " ".join(v for v in self.arguments.values() if isinstance(v, str))


@dataclass(frozen=True, slots=True)
class StageReport:
    """What one stage did: tokens after it, time it took, and what it changed."""

    stage: str
    tokens: int
    ms: float
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (for the stats store and `nocp inspect`)."""
        return {"stage": self.stage, "tokens": self.tokens, "ms": round(self.ms, 3), "note": self.note}


@dataclass(frozen=True, slots=True)
class StageResult:
    """A stage's output: the new payload and a short note of what changed ("" = nothing)."""

    payload: Payload
    note: str = ""
    distillation: Distillation | None = None
    """What the distill stage decided (only it sets this)."""


Stage: TypeAlias = Callable[[Payload, CallContext], StageResult]
"""The contract every stage after normalize meets: payload in, payload (and a note) out."""


@dataclass(frozen=True, slots=True)
class Uncounted:
    """What the accounting still has to count for one call: the tool's raw result (for the
    tokens the SDK would have sent), the normalized text, and each stage's output (for the
    tokens after it)."""

    raw: Any
    normalized: str
    outputs: tuple[Payload, ...] = ()


@dataclass(frozen=True, slots=True)
class Optimized:
    """The result of `nocp.optimize`: the text to send and how it was obtained.

    Attributes:
        text: what the agent receives.
        format: "toon", "json" or "text".
        raw_tokens: tokens of the MCP SDK's default serialisation of the same result.
        tokens: tokens of `text`.
        stages: one report per stage, in pipeline order.
        handle: the handle of the stored original when anything was omitted, else None.
    """

    text: str
    format: Format
    raw_tokens: int
    tokens: int
    stages: tuple[StageReport, ...]
    handle: str | None = None
    """Set when something was omitted: the original is retrievable under this handle."""
    original: Payload | None = None
    """The original (normalized) payload to store under `handle`."""
    original_text: str | None = None
    """`original` as the runner serialised it for its handle (so the store need not again)."""
    distillation: Distillation | None = None
    """What distillation did, when it was tried."""
    uncounted: Uncounted | None = None
    """Set by `reduce_result`: `raw_tokens` and the normalize report's tokens are 0 until
    `settle` counts them (after the reply; only the accounting needs them)."""

    def report(self, stage: str) -> StageReport:
        """The report of the stage named `stage` (KeyError if the pipeline has none).

        Example:
            >>> optimize(rows).report("prune_lossy").note
            'keep_rows'
        """
        for report in self.stages:
            if report.stage == stage:
                return report
        raise KeyError(f"no stage {stage!r}; the stages are {[r.stage for r in self.stages]}")

    @property
    def saved_tokens(self) -> int:
        """raw_tokens − tokens (negative would mean nocp made things worse)."""
        return self.raw_tokens - self.tokens
