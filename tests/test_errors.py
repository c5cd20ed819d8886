"""The error tree drawn in `nocp.errors`' docstring is the whole tree of `NocpError`."""

from __future__ import annotations

import re

import nocp.errors
from nocp.errors import NocpError


def _walk(cls: type[BaseException], depth: int = 0) -> list[tuple[int, str]]:
    rows = [(depth, cls.__name__)]
    for sub in sorted(cls.__subclasses__(), key=lambda c: c.__name__):
        rows += _walk(sub, depth + 1)
    return rows


def _drawn() -> list[tuple[int, str]]:
    """(depth, name) of every class the docstring's tree names, from its box-drawing indent."""
    rows = []
    for line in (nocp.errors.__doc__ or "").splitlines():
        match = re.match(r"^    ((?:[│ ]   )*)(?:[├└]── )?([A-Z]\w+)\s", line + " ")
        if match and (match.group(2) == "NocpError" or "── " in line):
            depth = len(match.group(1)) // 4 + (1 if "── " in line else 0)
            rows.append((depth, match.group(2)))
    return rows


def test_the_docstring_draws_every_nocp_error_and_nothing_else() -> None:
    import nocp.cli.bench
    import nocp.server
    import nocp.sources.builtin.http
    import nocp.sources.builtin.sqlite  # noqa: F401

    assert sorted(_drawn()) == sorted(_walk(NocpError))


def test_every_nocp_error_lives_in_nocp_errors() -> None:
    import nocp.server  # noqa: F401

    assert {cls.__module__ for _, cls in _classes(NocpError)} == {"nocp.errors"}


def _classes(cls: type[BaseException]) -> list[tuple[int, type[BaseException]]]:
    found: list[tuple[int, type[BaseException]]] = [(0, cls)]
    for sub in cls.__subclasses__():
        found += _classes(sub)
    return found
