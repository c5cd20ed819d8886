"""Step 6, the last resort — replace what is nested deeper than a few levels by a marker."""

from __future__ import annotations

from nocp.pipeline.budget import Budget
from nocp.pipeline.markers import join_path, marker
from nocp.pipeline.model import CallContext, JSONValue, Payload


def limit_depth(payload: Payload, ctx: CallContext, budget: Budget) -> Payload:
    """Step 6, the last resort: replace what is nested deeper than a few levels by a marker."""
    result = payload
    for depth in (6, 4, 3, 2, 1):
        paths: list[str] = []
        value = _cap_depth(payload.value, depth, "", paths)
        if not paths:
            continue
        result = payload.evolve(
            value, marker(f"{len(paths):,} values nested deeper than {depth} levels", ctx.handle, paths[0])
        )
        if not budget.over(result):
            break
    return result


def _cap_depth(value: JSONValue, depth: int, path: str, paths: list[str]) -> JSONValue:
    if not isinstance(value, dict | list):
        return value
    if depth <= 0:
        paths.append(path)
        return "{…}" if isinstance(value, dict) else "[…]"
    if isinstance(value, dict):
        return {k: _cap_depth(v, depth - 1, join_path(path, k), paths) for k, v in value.items()}
    return [_cap_depth(v, depth - 1, f"{path}[{i}]", paths) for i, v in enumerate(value)]
