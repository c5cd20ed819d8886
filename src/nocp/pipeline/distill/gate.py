"""The cost gate: distil only when the tokens saved are worth more than the call costs.

    value = (tokens_in − limit) × input price of the client's model × rereads
    cost  = the distillation call's price (litellm's price map; 0 for the extractive backend)
    distil when value > 0 and value ≥ margin × cost

Prices come from litellm's bundled price map, read as the JSON file litellm ships (so pricing
costs no litellm import and no network); litellm itself is imported only to call a model
(`llm.py`).
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from nocp.config import DistillSettings

PROMPT_OVERHEAD = 150
"""Tokens the fixed prompt adds to the tool output."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """The gate's decision and the numbers behind it."""

    worth_it: bool
    saved_tokens: int
    value_usd: float
    cost_usd: float
    reason: str = ""


LOCAL_PROVIDERS = frozenset({"ollama", "ollama_chat", "lm_studio", "hosted_vllm", "llamafile"})
"""Models that run on the user's machine cost nothing per token."""


@cache
def price_map() -> dict[str, dict[str, Any]]:
    """litellm's bundled model price map (empty when litellm is not installed)."""
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(next(iter(spec.submodule_search_locations))) / "model_prices_and_context_window_backup.json"
    try:
        data: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data


def prices(model: str) -> tuple[float, float] | None:
    """(input, output) USD per token of `model`, or None if the price map does not know it.

    Example:
        >>> prices("gpt-4o-mini")
        (1.5e-07, 6e-07)
    """
    provider, _, bare = model.partition("/")
    if bare and provider in LOCAL_PROVIDERS:
        return 0.0, 0.0
    table = price_map()
    entry = table.get(model) or (table.get(bare) if bare else None)
    if not entry or "input_cost_per_token" not in entry:
        return None
    return float(entry["input_cost_per_token"]), float(entry.get("output_cost_per_token") or 0.0)


def call_cost(backend: str, settings: DistillSettings, tokens_in: int, tokens_out: int) -> float | None:
    """The expected price of one distillation call (None: the model has no known price)."""
    if backend == "extractive":
        return 0.0
    model = settings.client_model if backend == "sampling" else settings.model
    price = prices(model)
    if price is None:
        return None
    return (tokens_in + PROMPT_OVERHEAD) * price[0] + tokens_out * price[1]


def judge(backend: str, settings: DistillSettings, tokens_in: int, limit: int) -> Verdict:
    """Is distilling `tokens_in` tokens down to `limit` worth it?

    Example:
        >>> judge("extractive", DistillSettings(), 5000, 1000).worth_it
        True
    """
    saved = max(tokens_in - limit, 0)
    client = prices(settings.client_model)
    cost = call_cost(backend, settings, tokens_in, limit)
    if client is None:  # the saving cannot be valued: only a free distillation is worth it
        free = cost == 0.0 and saved > 0
        reason = "" if free else f"no price for client_model {settings.client_model!r}"
        return Verdict(free, saved, 0.0, cost or 0.0, reason)
    value = saved * client[0] * settings.rereads
    if cost is None:
        return Verdict(False, saved, value, 0.0, f"no price for model {settings.model!r}")
    worth = saved > 0 and value >= settings.margin * cost
    reason = "" if worth else f"value < {settings.margin:g} × cost"
    return Verdict(worth, saved, value, cost, reason)
