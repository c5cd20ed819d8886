"""Stage — parse: text that holds structured data becomes that data, so the structured steps
(row choice, folding, TOON) apply to it: JSON or a Python literal after a short preamble, a
fixed-width CLI table, CSV/TSV (`formats.structured`).

It parses when the text is over budget (it will be cut, and structured cuts keep more) or the
data encodes in fewer tokens than the text (a table's padding, a literal's quoting). One line
says what the data was parsed from, quoting the few lines around it; lines too long to quote
are left out under a marker that fetches them. The stored original stays the text:
`nocp_expand` parses it again (`parsed_original`), so the paths of markers on the data select
from the same value, and `lines[a:b]` still selects lines of the text.
"""

from __future__ import annotations

import json

from nocp.errors import ResultError
from nocp.formats.parsed import Parsed
from nocp.formats.structured import parse_structured
from nocp.pipeline.budget import Budget
from nocp.pipeline.encode import choose
from nocp.pipeline.markers import marker
from nocp.pipeline.model import CallContext, JSONValue, Payload, StageResult
from nocp.pipeline.normalize import to_json_value

_QUOTED_LINES = 300
"""Lines around the data up to this many characters are quoted in the info line."""


def parse(payload: Payload, ctx: CallContext) -> StageResult:
    """A text payload holding structured data as that data, when it is over budget or the
    data is cheaper; else the payload as it is. Only a whole original is parsed (a selection
    of its lines, from `nocp_expand`, is not: its first line is no header).

    Example:
        >>> parse(Payload("text", "Contents of x:\\n" + json.dumps(rows)), ctx).note
        'JSON → json'
    """
    if payload.kind != "text" or ctx.first_line:
        return StageResult(payload)
    found = _parse(payload.text)
    if found is None:
        return StageResult(payload)
    value, parsed = found
    notes = _source_notes(parsed, payload.text, ctx.handle)
    data = Payload("json", value, (*payload.markers, *notes), payload.omitted or len(notes) > 1)
    budget = Budget.of(ctx)
    if not budget.over(payload):
        text_tokens = budget.tokens(payload)
        data_tokens = choose(value, ctx.counter).tokens + ctx.counter.count_all(list(notes))
        if data_tokens >= text_tokens:
            return StageResult(payload)
    return StageResult(data, f"{parsed.source} → json")


def parsed_original(original: Payload) -> Payload | None:
    """The data a stored text original holds (as `parse` read it), or None."""
    found = _parse(original.text) if original.kind == "text" else None
    return Payload("json", found[0]) if found is not None else None


def _parse(text: str) -> tuple[JSONValue, Parsed] | None:
    parsed = parse_structured(text)
    if parsed is None:
        return None
    try:
        return to_json_value(parsed.value), parsed
    except ResultError:  # nested too deep to send as data: it stays text
        return None


def _source_notes(parsed: Parsed, text: str, handle: str) -> tuple[str, ...]:
    """The info line naming what the data was parsed from, quoting the lines around it; lines
    too long to quote are left out under a marker that fetches them."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    around = [("before", 0, parsed.head), ("after", len(lines) - parsed.tail, len(lines))]
    quoted, omitted = [], []
    for where, start, end in around:
        lines_there = "\n".join(lines[start:end]).strip("\n")
        if not lines_there.strip():
            continue
        if len(lines_there) <= _QUOTED_LINES:
            quoted.append(f"{where} it: {json.dumps(lines_there, ensure_ascii=False)}")
        else:
            count = end - start
            what = f"{count:,} line{'s' if count > 1 else ''} of text {where} the data omitted"
            omitted.append(marker(what, handle, f"lines[{start}:{end}]"))
    info = "; ".join([f"parsed from {parsed.source}", *quoted])
    return (f"[{info}]", *omitted)
